#!/usr/bin/env bash
# `plan` (issue 10) against lattigo-sim and the independent mock: exact counts
# per kind on manifests where a known share of rows is already in place, a
# missing device, a misspelt rate plan (hint), an unknown username (hint), an
# ICCID already active on another device or IMEI, devices named by ICCID for
# cost-center, one device named by name, ICCID and IMEI in three rows (plan and
# run: duplicates); plan.csv and the snapshot; exit codes; nothing written.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

# luhn BODY: BODY and its Luhn check digit.
luhn() {
  python3 -c '
import sys
body = sys.argv[1]
total = 0
for position, char in enumerate(reversed(body)):
    digit = int(char) * (2 if position % 2 == 0 else 1)
    total += digit - 9 if digit > 9 else digit
print(body + str((10 - total % 10) % 10))' "$1"
}

# plan_ok EXPECTED_EXIT args...: `lattigo-batch plan` with the test credentials.
plan_ok() {
  local expected=$1 status=0
  shift
  batch plan "$@" >"$WORK/plan.stdout" 2>"$WORK/plan.stderr" || status=$?
  [ "$status" -eq "$expected" ] ||
    fail "plan $* exited $status, expected $expected: $(cat "$WORK/plan.stderr" "$WORK/plan.stdout" | tail -8)"
}

# count KIND: the count `plan` printed for KIND.
count() { sed -n "s/^  $1 *\([0-9]*\)\$/\1/p" "$WORK/plan.stdout"; }

# kinds_csv FILE: "kind=count ..." from plan.csv, sorted.
kinds_csv() { tail -n +2 "$1" | awk -F, '{print $4}' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'; }

# ---------------------------------------------------------------- lattigo-sim
start_sim --ledger "$WORK/sim-ledger.jsonl"
touch "$WORK/sim-ledger.jsonl"

# cost-center: 30 rows; rows 1-12 are set beforehand (in place), rows 29-30 name
# devices the account does not have, rows 25-28 name their device by ICCID.
{
  echo "device_name,cost_center,id_type"
  for index in $(seq 0 23); do echo "$((36500 + index)),PLAN-A,"; done
  for index in $(seq 24 27); do
    iccid=$(api GET "v2/devices/$((36500 + index))" | python3 -c 'import json,sys; print(json.load(sys.stdin)["iccid"])')
    echo "$iccid,PLAN-A,iccid"
  done
  echo "99990,PLAN-A,"
  echo "99991,PLAN-A,"
} >"$WORK/cc.csv"
head -13 "$WORK/cc.csv" >"$WORK/cc-first.csv"
run_batch 0 --op cost-center --manifest "$WORK/cc-first.csv" --endpoint "$SIM_URL" --out "$WORK/first"
ledger_before=$(wc -l <"$WORK/sim-ledger.jsonl")

plan_ok 1 --op cost-center --manifest "$WORK/cc.csv" --endpoint "$SIM_URL" --out "$WORK/plan-cc"
assert_eq 16 "$(count change)" "sim cost-center: change rows"
assert_eq 12 "$(count unchanged)" "sim cost-center: unchanged rows"
assert_eq 2 "$(count missing)" "sim cost-center: missing rows"
assert_eq 0 "$(count conflict)" "sim cost-center: conflict rows"
assert_eq 0 "$(count invalid)" "sim cost-center: invalid rows"
assert_eq "change=16 missing=2 unchanged=12 " "$(kinds_csv "$WORK/plan-cc/plan.csv")" "sim plan.csv kinds"
# an ICCID row shows the device it resolves to
line=$(sed -n 26p "$WORK/plan-cc/plan.csv")
case "$line" in
  25,8*,36524,change,*,PLAN-A,) ;;
  *) fail "row 25 (by ICCID) should resolve to 36524: $line" ;;
esac
grep -q '^29,99990,,missing,,PLAN-A,no device with device_name 99990 in the account (read at ' "$WORK/plan-cc/plan.csv" ||
  fail "missing row not in plan.csv: $(sed -n 30p "$WORK/plan-cc/plan.csv")"
grep -q '"scope"' "$WORK/plan-cc/snapshot/meta.json" || fail "no snapshot meta.json"
[ -s "$WORK/plan-cc/snapshot/devices.jsonl.gz" ] || fail "no snapshot devices"
assert_eq "$ledger_before" "$(wc -l <"$WORK/sim-ledger.jsonl")" "plan wrote to the account"
grep -q "no undo" "$WORK/plan.stdout" && fail "cost-center has an undo, plan says none"

# the same manifest through a pipe: plan passes over it more than once, so the
# pipe is made a file first; plan.csv is the same but for the time of the read
cat "$WORK/cc.csv" | plan_ok 1 --op cost-center --manifest - --endpoint "$SIM_URL" --out "$WORK/plan-pipe"
assert_eq "$(sed 's/(read at [^)]*)//' "$WORK/plan-cc/plan.csv")" \
  "$(sed 's/(read at [^)]*)//' "$WORK/plan-pipe/plan.csv")" "plan.csv of the piped manifest"
gzip -c "$WORK/cc.csv" | plan_ok 1 --op cost-center --manifest - --endpoint "$SIM_URL" --out "$WORK/plan-gzip"
assert_eq "$(sed 's/(read at [^)]*)//' "$WORK/plan-cc/plan.csv")" \
  "$(sed 's/(read at [^)]*)//' "$WORK/plan-gzip/plan.csv")" "plan.csv of the piped gzip manifest"

# the same manifest with --set id_type=iccid on ICCID-only rows
{ echo "device_name,cost_center"; sed -n '26,29p' "$WORK/cc.csv" | cut -d, -f1-2; } >"$WORK/cc-iccid.csv"
plan_ok 0 --op cost-center --manifest "$WORK/cc-iccid.csv" --set id_type=iccid --endpoint "$SIM_URL"
assert_eq 4 "$(count change)" "sim by-ICCID change rows"
grep -q "(device 36524)" "$WORK/plan.stdout" || fail "plan does not show the resolved device: $(cat "$WORK/plan.stdout")"

# activate: one new pair (change), the ICCID+IMEI of 36530 (unchanged: active on the
# same IMEI), the ICCID of 36531 with another IMEI (conflict), a new ICCID with the
# IMEI of 36532 (conflict), a misspelt plan (invalid, hint), a bad Luhn (invalid).
read -r iccid30 imei30 < <(api GET v2/devices/36530 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["iccid"], d["imei"])')
read -r iccid31 < <(api GET v2/devices/36531 | python3 -c 'import json,sys; print(json.load(sys.stdin)["iccid"])')
read -r imei32 < <(api GET v2/devices/36532 | python3 -c 'import json,sys; print(json.load(sys.stdin)["imei"])')
new_iccid=$(luhn 8944000000000000001) new_iccid2=$(luhn 8944000000000000002) new_iccid3=$(luhn 8944000000000000003)
new_imei=$(luhn 35000000000001) new_imei2=$(luhn 35000000000002) new_imei3=$(luhn 35000000000003)
cat >"$WORK/act.csv" <<CSV
iccid,imei,rate_plan_name
$new_iccid,$new_imei,ACME Co 10MB Plan
$iccid30,$imei30,ACME Co 10MB Plan
$iccid31,$new_imei2,ACME Co 10MB Plan
$new_iccid2,$imei32,ACME Co 10MB Plan
$new_iccid3,$new_imei3,ACME Co 10mb Plan
89440000000000000011,$new_imei3,ACME Co 10MB Plan
CSV
plan_ok 1 --op activate --manifest "$WORK/act.csv" --endpoint "$SIM_URL" --out "$WORK/plan-act"
assert_eq "1 1 2 2" "$(count change) $(count unchanged) $(count conflict) $(count invalid)" "sim activate: change unchanged conflict invalid"
grep -q "'ACME Co 10mb Plan' does not exist in the account (1 row); did you mean 'ACME Co 10MB Plan'?" "$WORK/plan.stdout" ||
  fail "no hint for the misspelt plan: $(cat "$WORK/plan.stdout")"
grep -q "^cost: 1 activation, activation fees " "$WORK/plan.stdout" || fail "no cost line: $(cat "$WORK/plan.stdout")"
grep -q "already belongs to device 36531" "$WORK/plan-act/plan.csv" || fail "no conflict for the taken ICCID"
grep -q "imei $imei32 already belongs to device 36532" "$WORK/plan-act/plan.csv" || fail "no conflict for the taken IMEI"
grep -q "no undo exists" "$WORK/plan.stdout" || fail "activate: plan should say no undo exists"
assert_eq "$ledger_before" "$(wc -l <"$WORK/sim-ledger.jsonl")" "plan wrote to the account"

# usage-limit: an unknown username gets the closest one
user=$(api GET "v2/users?per_page=5" | python3 -c 'import json,sys; print(json.load(sys.stdin)[1])')
typo="${user}x"
printf 'device_name,kb_limit,action,usernames\n36500,1024,suspend,%s\n36501,1024,suspend,%s\n' "$user" "$typo" >"$WORK/limit.csv"
plan_ok 1 --op usage-limit --manifest "$WORK/limit.csv" --endpoint "$SIM_URL"
assert_eq "1 1" "$(count change) $(count invalid)" "sim usage-limit: change invalid"
grep -q "'$typo' does not exist in the account (1 row); did you mean '$user'?" "$WORK/plan.stdout" ||
  fail "no hint for the unknown username: $(cat "$WORK/plan.stdout")"

# the listing read before its size is known: 2,500 rows name 2,500 devices, so
# the pages they would fill (3 of 834) are asked at once; the account holds
# fewer (one page): the pages past its end answer [] and add nothing, and the
# reads are no more calls than the job's own writes (25 at 100 rows a call)
account=$(curl -sS -D - -o /dev/null -u "$TEST_KEY_NAME:$TEST_API_KEY" "$SIM_URL/v2/devices?per_page=1" |
  tr -d '\r' | sed -n 's/^X-Total: //p')
{ echo "device_name,cost_center"; for index in $(seq 0 2499); do echo "$((36500 + index)),PLAN-Z"; done; } >"$WORK/wide.csv"
plan_ok 1 --op cost-center --manifest "$WORK/wide.csv" --endpoint "$SIM_URL" --out "$WORK/plan-wide"
assert_eq "$account $((2500 - account))" "$(count change) $(count missing)" "sim wide listing: change missing"
read -r calls scope devices < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["calls"], m["scope"], m["devices"])' \
  "$WORK/plan-wide/snapshot/meta.json")
assert_eq "3 account $account" "$calls $scope $devices" "sim wide listing: calls (3 pages asked at once), scope, devices"
stop_sim

# ------------------------------------------------------------ the mock
# 20 devices; 6 of them already carry the target cost center (preset), one
# more device holds an ICCID with a known IMEI.
taken_iccid=$(luhn 8999000000000000777) taken_imei=$(luhn 35111111111111)
{
  for index in 2 4 6 8 10 12; do printf '{"device_name":"mock-%07d","cost_center":"PLAN-B"}\n' "$index"; done
  printf '{"device_name":"taken","iccid":"%s","imei":"%s"}\n' "$taken_iccid" "$taken_imei"
} >"$WORK/preset.jsonl"
start_mock --devices 20 --preset "$WORK/preset.jsonl" --ledger "$WORK/mock-ledger.jsonl"
touch "$WORK/mock-ledger.jsonl"
{
  echo "device_name,cost_center"
  for index in $(seq 1 20); do printf 'mock-%07d,PLAN-B\n' "$index"; done
  echo "mock-9999999,PLAN-B"
} >"$WORK/mock-cc.csv"
plan_ok 1 --op cost-center --manifest "$WORK/mock-cc.csv" --endpoint "$MOCK_URL" --out "$WORK/mock-plan"
assert_eq "14 6 1 0 0" "$(count change) $(count unchanged) $(count missing) $(count conflict) $(count invalid)" \
  "mock cost-center: change unchanged missing conflict invalid"
assert_eq "change=14 missing=1 unchanged=6 " "$(kinds_csv "$WORK/mock-plan/plan.csv")" "mock plan.csv kinds"

# one device named by ICCID, by IMEI; per-device reads (2 identifiers, 22-device account)
printf 'device_name,cost_center,id_type\n%s,PLAN-C,iccid\n%s,PLAN-C,imei\n' "$taken_iccid" "$taken_imei" >"$WORK/mock-ids.csv"
# (the same device twice: the second row is its duplicate)
plan_ok 1 --op cost-center --manifest "$WORK/mock-ids.csv" --endpoint "$MOCK_URL" --out "$WORK/mock-ids"
assert_eq "1 1" "$(count change) $(count invalid)" "mock by-ICCID/IMEI change and duplicate rows"
assert_eq 2 "$(grep -c ',taken,\(change\|invalid\),' "$WORK/mock-ids/plan.csv")" "mock by-ICCID/IMEI resolve to 'taken'"

# activate: the taken ICCID on another IMEI (conflict), on its own IMEI (unchanged),
# a new pair (change), an unknown plan with a hint (invalid)
cat >"$WORK/mock-act.csv" <<CSV
iccid,imei,rate_plan_name
$taken_iccid,$(luhn 35222222222222),ACME Co 5mb Rate Plan
$taken_iccid,$taken_imei,ACME Co 5mb Rate Plan
$(luhn 8999000000000000888),$(luhn 35333333333333),ACME Co 10MB Plan
$(luhn 8999000000000000999),$(luhn 35444444444444),ACME Co 5MB Rate Plan
CSV
# the same ICCID twice is a duplicate: split into two plans
head -2 "$WORK/mock-act.csv" >"$WORK/mock-act1.csv"
{ head -1 "$WORK/mock-act.csv"; sed -n '3,5p' "$WORK/mock-act.csv"; } >"$WORK/mock-act2.csv"
plan_ok 1 --op activate --manifest "$WORK/mock-act1.csv" --endpoint "$MOCK_URL"
assert_eq "1" "$(count conflict)" "mock activate: the taken ICCID on another IMEI"
{ head -1 "$WORK/mock-act.csv"; sed -n 3p "$WORK/mock-act.csv"; } >"$WORK/mock-act3.csv"
plan_ok 0 --op activate --manifest "$WORK/mock-act3.csv" --endpoint "$MOCK_URL"
assert_eq "1" "$(count unchanged)" "mock activate: the taken ICCID on its own IMEI"
plan_ok 1 --op activate --manifest "$WORK/mock-act2.csv" --endpoint "$MOCK_URL"
assert_eq "1 1" "$(count change) $(count invalid)" "mock activate: change invalid"
grep -q "did you mean 'ACME Co 5mb Rate Plan'?" "$WORK/plan.stdout" || fail "mock: no plan hint: $(cat "$WORK/plan.stdout")"
# 10MB plan: activation_fee 1.5, monthly 3.5 + 0.75
grep -q "^cost: 1 activation, activation fees 1.50, then 4.25 per month" "$WORK/plan.stdout" ||
  fail "mock: wrong cost: $(grep cost "$WORK/plan.stdout")"

# wrong credentials: exit 2, nothing read
status=0
LATTIGO_KEY_NAME=wrong LATTIGO_API_KEY=wrong "$LATTIGO_BATCH" plan --op cost-center \
  --manifest "$WORK/mock-cc.csv" --endpoint "$MOCK_URL" >/dev/null 2>"$WORK/creds.err" || status=$?
assert_eq 2 "$status" "plan with refused credentials"
[ ! -s "$WORK/mock-ledger.jsonl" ] || fail "plan wrote to the mock: $(head -3 "$WORK/mock-ledger.jsonl")"

# one device named three ways (name, ICCID, IMEI): rows 2 and 3 are duplicates of
# row 1 in plan, and run sends row 1 only (one write to the mock's ledger)
printf 'device_name,cost_center,id_type\ntaken,PLAN-D,\n%s,PLAN-D,iccid\n%s,PLAN-E,imei\nmock-0000003,PLAN-D,\n' \
  "$taken_iccid" "$taken_imei" >"$WORK/mock-dup.csv"
plan_ok 1 --op cost-center --manifest "$WORK/mock-dup.csv" --endpoint "$MOCK_URL" --out "$WORK/mock-dup"
assert_eq "2 2" "$(count change) $(count invalid)" "mock: one device named three ways"
grep -q "^2,$taken_iccid,taken,invalid,.*,duplicate of row 1: same device taken (this row names it by iccid $taken_iccid)\$" \
  "$WORK/mock-dup/plan.csv" || fail "mock: row 2 not a duplicate: $(cat "$WORK/mock-dup/plan.csv")"
grep -q "^3,$taken_imei,taken,invalid,.*duplicate of row 1: same device taken" "$WORK/mock-dup/plan.csv" ||
  fail "mock: row 3 not a duplicate: $(cat "$WORK/mock-dup/plan.csv")"
writes_before=$(wc -l <"$WORK/mock-ledger.jsonl")
run_batch 1 --op cost-center --manifest "$WORK/mock-dup.csv" --endpoint "$MOCK_URL" --out "$WORK/mock-dup-run"
assert_eq 2 "$(($(wc -l <"$WORK/mock-ledger.jsonl") - writes_before))" "mock: writes for one device named three ways"
grep -q '^2,invalid,,"\?duplicate of row 1: same device taken' "$WORK/mock-dup-run/results.csv" ||
  fail "run: row 2 not reported as a duplicate: $(cat "$WORK/mock-dup-run/results.csv")"
grep -q '^3,invalid,,"\?duplicate of row 1: same device taken' "$WORK/mock-dup-run/results.csv" ||
  fail "run: row 3 not reported as a duplicate: $(cat "$WORK/mock-dup-run/results.csv")"
grep -q ',[23]$' "$WORK/mock-dup-run/undo.csv" && fail "undo.csv restores a duplicate: $(cat "$WORK/mock-dup-run/undo.csv")"

stop_mock

# the first wave of the reads: the rate plans an activation needs go out with
# the first page of the devices (neither depends on the other), so at 200 ms
# a read the mock sees both in flight at once
start_mock --devices 40 --latency-ms 200 --read-log "$WORK/wave-reads.log"
gen "$WORK/wave.csv" --op activate --rows 5 --seed 3
plan_ok 0 --op activate --manifest "$WORK/wave.csv" --endpoint "$MOCK_URL"
python3 - "$WORK/wave-reads.log" <<'PY' || fail "the rate plans and the devices were not read at once: $(cat "$WORK/wave-reads.log")"
import json, sys
# (the credentials check before them asks one rate plan: per_page=1, no page)
reads = [read for read in map(json.loads, open(sys.argv[1])) if "page" in read["query"]]
paths = sorted(read["path"] for read in reads)
assert paths == ["v2/devices", "v2/rate_plans"], paths
assert max(read["in_flight"] for read in reads) == 2, reads
PY
stop_mock

# a server that refuses a page past the end (404) instead of answering 200 []:
# the first wave asks pages the 40-device account does not have (the rows name
# 2,500 devices); those refusals are pages past its end, not a failed read
start_mock --devices 40 --read-past-end-status 404 --read-log "$WORK/past-end-reads.log"
{ echo "device_name,cost_center"; for index in $(seq 1 2500); do printf 'mock-%07d,PLAN-Z\n' "$index"; done; } >"$WORK/past-end.csv"
plan_ok 1 --op cost-center --manifest "$WORK/past-end.csv" --endpoint "$MOCK_URL" --out "$WORK/plan-past-end"
assert_eq "40 2460" "$(count change) $(count missing)" "mock refusing pages past the end: change missing"
grep -q '"status": 404' "$WORK/past-end-reads.log" ||
  fail "the first wave asked no page past the end: $(cat "$WORK/past-end-reads.log")"
stop_mock
# ... also when the refusals come back long before page 1 (1.5 s, more than
# the retries of a read would wait): they wait for its size, not re-asked
start_mock --devices 40 --read-past-end-status 404 --latency-ms 1500 --read-log "$WORK/past-end-slow.log"
plan_ok 1 --op cost-center --manifest "$WORK/past-end.csv" --endpoint "$MOCK_URL" --out "$WORK/plan-past-end-slow"
assert_eq "40 2460" "$(count change) $(count missing)" "mock refusing pages past the end before page 1: change missing"
page_two=$(python3 -c 'import json,sys
print(sum(1 for read in map(json.loads, open(sys.argv[1]))
          if read["path"] == "v2/devices" and read["query"].get("page") == "2"))' "$WORK/past-end-slow.log")
assert_eq "1" "$page_two" "page 2 (past the end) asked once: $(cat "$WORK/past-end-slow.log")"
stop_mock
echo "ok"
