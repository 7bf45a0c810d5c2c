#!/usr/bin/env python3
"""Checks a report.html against its job's summary.json (issue 13).

usage: report_check.py REPORT SUMMARY [--hostile TEXT]... [--state STATE]

- the page parses; every number the test can find by id equals summary.json;
- it is self-contained: no <script>, no external resource (src/href to a
  network or file URL, <link>, @import, url(...)), no event-handler attribute;
- each --hostile text appears in the page's text (so it was shown, escaped)
  and never as markup.
"""
import argparse
import html.parser
import json
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = {}
        self.stack = []
        self.text = []
        self.problems = []
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("script", "link", "iframe", "object", "embed", "img", "base", "form"):
            self.problems.append("element <%s>" % tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append("event attribute %s on <%s>" % (name, tag))
            if name in ("src", "href", "xlink:href", "action") and not value.startswith("#"):
                self.problems.append("external reference %s=%r" % (name, value))
            if "url(" in value:
                self.problems.append("url() in attribute %s" % name)
        attributes = dict(attrs)
        self.stack.append(attributes.get("id"))
        if attributes.get("id"):
            self.ids[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        for element_id in self.stack:
            if element_id:
                self.ids[element_id] += data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("summary")
    parser.add_argument("--hostile", action="append", default=[])
    parser.add_argument("--state")
    args = parser.parse_args()
    raw = open(args.report, encoding="utf-8").read()
    summary = json.load(open(args.summary))
    page = Page()
    page.feed(raw)
    page.close()
    problems = list(page.problems)
    if "<style" in raw and ("@import" in raw or "url(" in raw.split("</style>")[0]):
        problems.append("@import or url() in the stylesheet")
    ids = {key: value.strip() for key, value in page.ids.items()}

    def expect(element_id, want):
        got = ids.get(element_id)
        if got != str(want):
            problems.append("#%s is %r, summary.json says %r" % (element_id, got, want))

    for status, count in summary["counts"].items():
        if count is not None:
            expect("count-" + status, count)
    if summary["rows_total"] is not None:
        expect("rows-total", summary["rows_total"])
    for key in ("calls", "retries", "throttled"):
        expect(key, summary[key])
    expect("exit-status", "—" if summary["exit_status"] is None else summary["exit_status"])
    expect("operation", summary["op"])
    if args.state and not ids.get("state", "").startswith(args.state):
        problems.append("#state is %r, expected %s" % (ids.get("state"), args.state))
    text = "".join(page.text)
    for hostile in args.hostile:
        if hostile not in text:
            problems.append("hostile text %r is not shown as text" % hostile)
        if hostile in raw:
            problems.append("hostile text %r appears unescaped in the HTML" % hostile)
    for needed in ("svg", "table"):
        if needed not in page.tags:
            problems.append("no <%s> in the page" % needed)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
