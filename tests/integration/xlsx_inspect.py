#!/usr/bin/env python3
"""Reads back a workbook lattigo-batch wrote, with the standard library only,
and prints what the tests check:
  xlsx_inspect.py cells FILE [SHEET]   one line per row: TYPE:VALUE cells, tab-separated
                                       (TYPE s = string, n = number, b = boolean, f = formula)
  xlsx_inspect.py layout FILE [SHEET]  sheet names, frozen pane, autofilter, bold header,
                                       Text-formatted columns, data validations
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}


def sheets(book):
    workbook = ET.fromstring(book.read('xl/workbook.xml'))
    rels = ET.fromstring(book.read('xl/_rels/workbook.xml.rels'))
    targets = {r.get('Id'): r.get('Target') for r in rels}
    out = []
    for sheet in workbook.find('m:sheets', NS):
        rid = sheet.get('{%s}id' % NS['r'])
        target = targets[rid].lstrip('/')
        out.append((sheet.get('name'), target if target.startswith('xl/') else 'xl/' + target))
    return out


def shared_strings(book):
    if 'xl/sharedStrings.xml' not in book.namelist():
        return []
    root = ET.fromstring(book.read('xl/sharedStrings.xml'))
    return [''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])) for si in root]


def pick(book, name):
    listed = sheets(book)
    for sheet_name, part in listed:
        if name is None or sheet_name == name:
            return sheet_name, ET.fromstring(book.read(part))
    raise SystemExit(f'no sheet {name}')


def cells(path, name=None):
    with zipfile.ZipFile(path) as book:
        strings = shared_strings(book)
        _, root = pick(book, name)
        for row in root.find('m:sheetData', NS):
            out = []
            for cell in row:
                kind = cell.get('t', 'n')
                if cell.find('m:f', NS) is not None:
                    out.append('f:' + (cell.find('m:f', NS).text or ''))
                    continue
                value = cell.find('m:v', NS)
                if kind == 's':
                    out.append('s:' + strings[int(value.text)])
                elif kind == 'inlineStr':
                    out.append('s:' + ''.join(t.text or '' for t in cell.iter('{%s}t' % NS['m'])))
                elif kind == 'str':
                    out.append('s:' + (value.text or ''))
                else:
                    out.append(kind + ':' + (value.text if value is not None else ''))
            print(row.get('r') + '\t' + '\t'.join(out))


def layout(path, name=None):
    with zipfile.ZipFile(path) as book:
        print('sheets: ' + ', '.join(n for n, _ in sheets(book)))
        styles = ET.fromstring(book.read('xl/styles.xml'))
        fonts = styles.find('m:fonts', NS)
        xfs = list(styles.find('m:cellXfs', NS))
        bold_xf = {i for i, xf in enumerate(xfs)
                   if fonts[int(xf.get('fontId', 0))].find('m:b', NS) is not None}
        custom = {f.get('numFmtId'): f.get('formatCode')
                  for f in styles.findall('m:numFmts/m:numFmt', NS)}
        text_xf = {i for i, xf in enumerate(xfs)
                   if xf.get('numFmtId') == '49' or custom.get(xf.get('numFmtId')) == '@'}
        sheet_name, root = pick(book, name)
        print('sheet: ' + sheet_name)
        pane = root.find('m:sheetViews/m:sheetView/m:pane', NS)
        print('frozen: ' + (pane.get('topLeftCell') if pane is not None and
                            pane.get('state') == 'frozen' else 'no'))
        autofilter = root.find('m:autoFilter', NS)
        print('autofilter: ' + (autofilter.get('ref') if autofilter is not None else 'no'))
        header = root.find('m:sheetData/m:row', NS)
        if header is not None:
            bold = all(int(c.get('s', 0)) in bold_xf for c in header)
            print('bold header: ' + ('yes' if bold else 'no'))
        for col in root.findall('m:cols/m:col', NS):
            print(f"column {col.get('min')}: width {float(col.get('width')):.0f}"
                  f"{' text' if int(col.get('style', 0)) in text_xf else ''}")
        for dv in root.findall('m:dataValidations/m:dataValidation', NS):
            formula = dv.find('m:formula1', NS)
            print(f"validation {dv.get('sqref')}: {dv.get('type', 'any')} "
                  f"{formula.text if formula is not None else ''} "
                  f"| {dv.get('promptTitle', '')}: {dv.get('prompt', '')}")


if __name__ == '__main__':
    {'cells': cells, 'layout': layout}[sys.argv[1]](*sys.argv[2:])
