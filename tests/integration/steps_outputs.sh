#!/usr/bin/env bash
# A job with steps behaves like a one-operation job around its run: a costly
# step (activate) needs --yes or a typed confirmation showing its rows and
# estimated cost (exit 2, nothing sent, no job directory without either);
# rate plans and usernames are checked against the account before anything
# is sent (all rows unknown: exit 2 with "did you mean"; some: those rows
# end error with nothing sent for them); --force-new never resumes;
# summary.json lists the runs with this run's rows; each reversible step has
# its undo file, written before the first write, whose lines put back the
# values before the job. Against the independent mock.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

summary() { # OUT EXPR: a Python expression over summary.json's object s
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]+"/summary.json")); v=eval(sys.argv[2]); print(*v) if isinstance(v, tuple) else print(v)' "$1" "$2"
}
writes() { [ -e "$WORK/ledger.jsonl" ] && wc -l <"$WORK/ledger.jsonl" || echo 0; }
typed() { # ANSWER OUT run-args...: runs lattigo-batch on a terminal, answering ANSWER
  local answer=$1 out=$2
  shift 2
  STATUS=0
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
    python3 "$TESTS_DIR/integration/typed_answer.py" "$answer" "$LATTIGO_BATCH" "$@" >"$out" 2>&1 || STATUS=$?
}

# 6 activations on the 10MB plan (activation_fee 1.50), then cost center,
# usage limit (usernames from a column) and note1
make_lot() { # ROWS SEED OUT ROW2-USERS: a lot with Site, Carton and Users columns
  gen "$WORK/gen.csv" --op activate --rows "$1" --seed "$2"
  python3 - "$WORK/gen.csv" "$3" "$4" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["SIM ICCID", "IMEI No.", "Site", "Carton", "Users"])
    for index, row in enumerate(rows):
        writer.writerow([row["iccid"], row["imei"], "Site %d" % index, "C-%d" % index,
                         sys.argv[3] if index == 1 else "ops.alice"])
PY
}
make_lot 6 21 "$WORK/lot.csv" ops.alice
write_job() { # FILE MANIFEST USAGE-LIMIT-USERNAMES (JSON text that ends its "set")
  cat >"$1" <<JSON
{"manifest": "$2", "map": {"iccid": "SIM ICCID", "imei": "IMEI No."}, "endpoint": "$MOCK_URL",
 "steps": [
  {"op": "activate", "set": {"rate_plan_name": "ACME Co 10MB Plan"}, "verify": "1m"},
  {"op": "cost-center", "map": {"cost_center": "Site"}},
  {"op": "usage-limit", "set": {"kb_limit": "51200", "action": "email"$3}},
  {"op": "note", "set": {"field_name": "note1"}, "map": {"note": "Carton"}}
 ]}
JSON
}
start_mock --visible-after-ms 300 --activated-prefix dev- --ledger "$WORK/ledger.jsonl" --latency-ms 2
write_job "$WORK/job.json" lot.csv '}, "map": {"usernames": "Users"'

# ---- confirmation: none without --yes or a terminal; typed 'no'; typed 'yes'
status=0
batch run "$WORK/job.json" --out "$WORK/out" >"$WORK/run.out" 2>&1 </dev/null || status=$?
assert_eq 2 "$status" "a costly step without --yes and no terminal"
grep -q "operation 'activate' costs money" "$WORK/run.out" || fail "refusal: $(cat "$WORK/run.out")"
[ ! -e "$WORK/out" ] || fail "a refused job left its directory"
typed no "$WORK/typed-no.out" run "$WORK/job.json" --out "$WORK/out"
assert_eq 2 "$STATUS" "typed 'no'"
grep -q "activate 6 rows at an estimated cost of 9.00" "$WORK/typed-no.out" ||
  fail "the question does not show the rows and the cost (6 x 1.50): $(cat "$WORK/typed-no.out")"
[ ! -e "$WORK/out" ] || fail "a job not confirmed left its directory"
assert_eq 0 "$(writes)" "writes before a confirmation"
typed yes "$WORK/typed-yes.out" run "$WORK/job.json" --out "$WORK/out"
assert_eq 0 "$STATUS" "typed 'yes' ($(tail -5 "$WORK/typed-yes.out"))"
assert_eq 24 "$(writes)" "writes of 6 rows through 4 steps"

# ---- summary.json: runs, this run's rows, per-step figures, undo files
assert_eq "1 6 6" "$(summary "$WORK/out" 'len(s["runs"]), s["rows_this_run"], s["runs"][0]["rows_settled"]')" "first run"
assert_eq "['1-activate', '2-cost-center', '3-usage-limit', '4-note']" "$(summary "$WORK/out" '[x["label"] for x in s["steps"]]')" "steps"
assert_eq "[6, 6, 6, 6]" "$(summary "$WORK/out" '[x["counts"]["ok"] for x in s["steps"]]')" "rows ok per step"
assert_eq "['undo-4-note.csv', 'undo-2-cost-center.csv']" "$(summary "$WORK/out" 's["undo_order"]')" "undo order"
assert_eq "None None" "$(summary "$WORK/out" 's["steps"][0]["undo"]["file"], s["steps"][2]["undo"]["file"]')" "steps without undo"
grep -q "undo: none for step 3 (usage-limit)" "$WORK/typed-yes.out" || fail "closing lines: $(tail -8 "$WORK/typed-yes.out")"
grep -q "undo: 1\. .*undo-4-note.csv" "$WORK/typed-yes.out" || fail "undo order in the closing lines: $(tail -8 "$WORK/typed-yes.out")"
# the same job again: nothing settled by this run, a second run listed
status=0
batch run --yes "$WORK/job.json" --out "$WORK/out" >/dev/null 2>&1 || status=$?
assert_eq 0 "$status" "the finished job again"
assert_eq "1 6" "$(summary "$WORK/out" 'len(s["runs"]), s["rows_this_run"]')" "the finished job run again: summary.json as it was"
# --force-new never resumes
status=0
batch run --yes --force-new "$WORK/job.json" --out "$WORK/out" >"$WORK/force.out" 2>&1 || status=$?
assert_eq 2 "$status" "--force-new on a job directory"
grep -q -- "--force-new never resumes" "$WORK/force.out" || fail "--force-new: $(cat "$WORK/force.out")"
assert_eq 1 "$(summary "$WORK/out" 'len(s["runs"])')" "runs after --force-new"
assert_eq 24 "$(writes)" "writes after the second run and --force-new"

# ---- undo files: the same devices moved to other sites and cartons; the
# undo files hold the values before that job and put them back
sed 's/,Site \([0-9]\),C-/,Moved \1,D-/' "$WORK/lot.csv" >"$WORK/moved.csv"
write_job "$WORK/moved.json" moved.csv '}, "map": {"usernames": "Users"'
run_batch 0 "$WORK/moved.json" --out "$WORK/moved"
assert_eq 42 "$(writes)" "writes of the moved job (cost center, usage limit, note; activations unchanged)"
for step in 2-cost-center 4-note; do
  [ -s "$WORK/moved/undo-$step.csv" ] || fail "no undo-$step.csv"
  assert_eq 7 "$(wc -l <"$WORK/moved/undo-$step.csv")" "lines of undo-$step.csv"
done
grep -q "^dev-[0-9]*,Site 0,1$" "$WORK/moved/undo-2-cost-center.csv" || fail "undo-2: $(cat "$WORK/moved/undo-2-cost-center.csv")"
run_batch 0 --endpoint "$MOCK_URL" --op note --manifest "$WORK/moved/undo-4-note.csv" --out "$WORK/undone-note"
run_batch 0 --endpoint "$MOCK_URL" --op cost-center --manifest "$WORK/moved/undo-2-cost-center.csv" --out "$WORK/undone-cc"
python3 - "$MOCK_URL" "$TEST_KEY_NAME" "$TEST_API_KEY" "$WORK/moved/results.csv" <<'PY' || fail "the undo files did not put the values back"
import base64, csv, json, sys, urllib.request
url, key, secret, results = sys.argv[1:5]
auth = "Basic " + base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
for row in csv.DictReader(open(results, encoding="utf-8")):
    name = row["resolved_device_name"]
    request = urllib.request.Request("%s/v2/devices/%s" % (url, name), headers={"Authorization": auth})
    with urllib.request.urlopen(request) as answer:
        device = json.load(answer)
    index = int(row["row"]) - 1
    assert (device["cost_center"], device["note1"]) == ("Site %d" % index, "C-%d" % index), device
PY

# ---- rate plans and usernames the account lacks
write_job "$WORK/nouser.json" lot.csv ', "usernames": "ops.alcie"'
before=$(writes)
status=0
batch run --yes "$WORK/nouser.json" --out "$WORK/nouser" >"$WORK/nouser.out" 2>&1 || status=$?
assert_eq 2 "$status" "every row names a user the account lacks"
grep -q "step 3 (usage-limit): usernames: the account has no user 'ops.alcie' (did you mean 'ops.alice'?)" "$WORK/nouser.out" ||
  fail "unknown user: $(cat "$WORK/nouser.out")"
[ ! -e "$WORK/nouser" ] || fail "a refused job left its directory"
make_lot 4 22 "$WORK/some.csv" "admin;ops.alcie"
write_job "$WORK/some.json" some.csv '}, "map": {"usernames": "Users"'
status=0
batch run --yes "$WORK/some.json" --out "$WORK/some" >"$WORK/some.out" 2>&1 || status=$?
assert_eq 1 "$status" "a row names a user the account lacks ($(tail -3 "$WORK/some.out"))"
assert_eq "error,,,error,,3-usage-limit" "$(sed -n 3p "$WORK/some/results.csv" | cut -d, -f2-7)" "row 2's statuses"
grep -q "no user 'ops.alcie' (did you mean 'ops.alice'?)" "$WORK/some/errors.csv" || fail "errors.csv: $(cat "$WORK/some/errors.csv")"
assert_eq $((before + 12)) "$(writes)" "writes: 3 rows through 4 steps, none for row 2"
stop_mock
note "steps_outputs: all checks passed"
