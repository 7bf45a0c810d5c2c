#!/usr/bin/env bash
# What a job with steps shows around its run, as one-operation jobs do:
# `status` (text and --json) and report.html give each step's progress;
# `validate --out` writes an errors.csv that names the step and feeds back
# as the job's manifest; `plan` says per step what would change (a device
# an earlier step activates is a change; a username the account lacks is
# invalid with "did you mean"); the sample job plans against the bundled
# simulator without unknown names. Against lattigo-sim.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

capture() {
  STATUS=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || STATUS=$?
}
expect_line() { # file text
  grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"
}

# 5 activations; row 4's kb_limit is invalid (only step 3 uses it)
gen "$WORK/act.csv" --op activate --rows 5 --seed 31
python3 - "$WORK/act.csv" "$WORK/lot.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["SIM ICCID", "IMEI No.", "Site", "KB"])
    for index, row in enumerate(rows):
        writer.writerow([row["iccid"], row["imei"], "Site %d" % index, "-1" if index == 3 else "2048"])
PY
start_sim --activation-delay-ms 300
write_job() { # FILE USERNAMES
  cat >"$1" <<JSON
{"manifest": "lot.csv", "map": {"iccid": "SIM ICCID", "imei": "IMEI No."}, "endpoint": "$SIM_URL",
 "steps": [
  {"op": "activate", "set": {"rate_plan_name": "ACME Co 5mb Rate Plan"}, "verify": "1m"},
  {"op": "cost-center", "map": {"cost_center": "Site"}},
  {"op": "usage-limit", "map": {"kb_limit": "KB"}, "set": {"action": "email", "usernames": "$2"}}
 ]}
JSON
}
write_job "$WORK/job.json" ops.alice

# ---- validate --out: errors.csv names the step, in the manifest's delimiter
capture batch validate "$WORK/job.json" --out "$WORK/checked"
assert_eq 1 "$STATUS" "validate with an invalid row"
expect_line "$WORK/stdout" "errors:                "
errors="$WORK/checked/errors.csv"
head -1 "$errors" | grep -q '^SIM ICCID;IMEI No\.;Site;KB;step;error;source_row;source_line' ||
  fail "errors.csv header: $(head -1 "$errors")"
assert_eq 2 "$(wc -l <"$errors")" "errors.csv lines"
grep -q ';-1;3-usage-limit;step 3 (usage-limit): kb_limit: ' "$errors" || fail "errors.csv row: $(cat "$errors")"
# fixed and fed back: valid for every step, the step column reused
sed 's/;-1;/;4096;/' "$errors" >"$WORK/fixed.csv"
capture batch validate "$WORK/job.json" --manifest "$WORK/fixed.csv" --out "$WORK/checked2"
assert_eq 0 "$STATUS" "validate of the fixed errors.csv ($(cat "$WORK/stdout" "$WORK/stderr" | tail -5))"
assert_eq 1 "$(wc -l <"$WORK/checked2/errors.csv")" "errors.csv of a valid manifest (header only)"
# a job directory's errors.csv is the job's
mkdir -p "$WORK/a-job" && echo '{}' >"$WORK/a-job/job.json"
capture batch validate "$WORK/job.json" --out "$WORK/a-job"
assert_eq 2 "$STATUS" "validate --out into a job directory"

# ---- plan before anything ran: every step's rows would change
capture batch plan "$WORK/job.json" --out "$WORK/planned"
assert_eq 1 "$STATUS" "plan with an invalid row ($(tail -3 "$WORK/stderr"))"
expect_line "$WORK/stdout" "plan: 3 steps, nothing sent"
expect_line "$WORK/stdout" "step 2 of 3: cost-center, 4 rows (devices named by ICCID)"
expect_line "$WORK/stdout" "a device an earlier step activates"
expect_line "$WORK/stdout" "undo: run writes OUT/undo-2-cost-center.csv"
expect_line "$WORK/stdout" "undo: usage-limit sets nothing the API lets us read back"
python3 - "$WORK/planned/plan.csv" <<'PY' || fail "plan.csv"
import collections, csv, sys
lines = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
kinds = collections.Counter((line["step"], line["kind"]) for line in lines)
want = {("1-activate", "change"): 4, ("2-cost-center", "change"): 4,
        ("3-usage-limit", "change"): 4, ("3-usage-limit", "invalid"): 1}
assert kinds == want, kinds
PY

# ---- the run; status and the report per step
capture batch run --yes "$WORK/job.json" --out "$WORK/out"
assert_eq 1 "$STATUS" "run with an invalid row ($(tail -3 "$WORK/stderr"))"
capture batch status "$WORK/out"
assert_eq 0 "$STATUS" "status"
expect_line "$WORK/stdout" "steps:       1-activate: 4 done (ok 4, unchanged 0, error 0"
expect_line "$WORK/stdout" "verified 4, not verified 0, waiting 0"
expect_line "$WORK/stdout" "             3-usage-limit: 5 done (ok 4, unchanged 0, error 0, invalid 1"
capture batch status "$WORK/out" --json
python3 - "$WORK/stdout" <<'PY' || fail "status --json: $(cat "$WORK/stdout")"
import json, sys
status = json.load(open(sys.argv[1]))
steps = status["steps"]
assert [s["label"] for s in steps] == ["1-activate", "2-cost-center", "3-usage-limit"], steps
assert [s["counts"]["ok"] for s in steps] == [4, 4, 4], steps
assert steps[2]["counts"]["invalid"] == 1 and steps[0]["verification"]["verified"] == 4, steps
assert "verification" not in steps[1], steps[1]
PY
grep -q '<section id="steps">' "$WORK/out/report.html" || fail "report.html has no steps section"
grep -q 'id="step-2-ok">4<' "$WORK/out/report.html" || fail "report.html: step 2's ok rows"
grep -q 'id="step-1-verified">4<' "$WORK/out/report.html" || fail "report.html: step 1's verified rows"

# ---- plan after the run: what it did is in place; an unknown username
counts() { # STDOUT: "kind=count ..." per step of a plan's output
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for step in re.split(r"\nstep \d of \d: ", text)[1:]:
    print(" ".join("%s=%s" % pair for pair in re.findall(r"^  (\w+) +(\d+)$", step, re.M) if pair[1] != "0"))
PY
}
capture batch plan "$WORK/job.json"
assert_eq 1 "$STATUS" "plan after the run"
assert_eq "unchanged=4 unchanged=4 change=4 invalid=1" "$(counts "$WORK/stdout" | xargs)" "plan after the run"
write_job "$WORK/job2.json" ops.alcie
capture batch plan "$WORK/job2.json"
assert_eq 1 "$STATUS" "plan with an unknown username"
expect_line "$WORK/stdout" "'ops.alcie' does not exist in the account (4 rows); did you mean 'ops.alice'?"
# the rows naming the unknown user enter no step: only step 3 counts them
assert_eq "invalid=5" "$(counts "$WORK/stdout" | xargs)" "plan with an unknown username"
stop_sim

# ---- the sample job plans against the bundled simulator: its users exist
capture "$LATTIGO_BATCH" plan "$SOURCE_DIR/jobs/provision-factory-lot.json" --endpoint sim
assert_eq 1 "$STATUS" "plan of the sample job (4 invalid rows) ($(tail -3 "$WORK/stderr"))"
expect_line "$WORK/stdout" "step 4 of 4: note"
! grep -q "does not exist in the account" "$WORK/stdout" || fail "the sample names what the simulator lacks: $(cat "$WORK/stdout")"
note "steps_views: all checks passed"
