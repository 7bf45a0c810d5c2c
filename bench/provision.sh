#!/usr/bin/env bash
# Provisioning benchmark (issue 15), one run, loopback only, every child reaped:
# ROWS (20,000) rows through 3 steps — activate (the simulator makes an
# activation active only after 2 s; the step waits until verified),
# cost-center, usage-limit — against `lattigo-sim --latency-ms 20`,
# --concurrency 8:
#   1. the steps job, pipelined: wall time;
#   2. each step run alone (activate with its verification as a one-step job;
#      cost-center and usage-limit as ordinary jobs on the activated lot):
#      the slowest one, and the ratio (target <= 1.3);
#   3. the way it is done without steps: three separate jobs one after
#      another — activate with --verify, keep the rows that ended ok, then
#      cost-center, then usage-limit on those devices: wall time and ratio.
# Environment: BUILD_DIR (default build/, Release, built when missing),
# BENCH_DIR (default /tmp/lattigo-bench), ROWS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
ROWS=${ROWS:-20000}
LATENCY_MS=20
DELAY_MS=2000
CONCURRENCY=8
MEASURE="python3 $ROOT/bench/peers/measure.py"
bench_init provision
bench_build lattigo-batch lattigo-sim
# provision_sim: the simulator every part of this benchmark uses
provision_sim() { start_sim sim --latency-ms "$LATENCY_MS" --activation-delay-ms "$DELAY_MS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a > b ? a : b) }'; }

# timed NAME ARGS...: lattigo-batch ARGS; sets WALL (s), CPU (s)
timed() {
	local name=$1 rss status
	shift
	read -r WALL rss status CPU < <($MEASURE --stderr "$RUN_DIR/$name.stderr" -- "$BATCH" "$@")
	[ "$status" = 0 ] || say "$name: exit $status: $(tail -2 "$RUN_DIR/$name.stderr" | tr '\n' ' ')"
}
ok_rows() { # results.csv STATUS-COLUMN-NAME: rows with status ok
	python3 -c 'import csv,sys; print(sum(r["status"] == "ok" for r in csv.DictReader(open(sys.argv[1]))))' "$1"
}

MANIFEST=$BENCH_DIR/provision-$ROWS.csv
if [ ! -s "$MANIFEST" ]; then
	python3 "$ROOT/scripts/gen-manifest.py" --op activate --rows "$ROWS" --seed 15 --out "$RUN_DIR/act.csv"
	python3 - "$RUN_DIR/act.csv" "$MANIFEST" <<'PY'
import csv, sys
rows = csv.DictReader(open(sys.argv[1]))
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["iccid", "imei", "rate_plan_name", "Site"])
    for index, row in enumerate(rows):
        writer.writerow([row["iccid"], row["imei"], row["rate_plan_name"], "Site %d" % (index % 50)])
PY
fi
steps_job() { # FILE STEPS-JSON
	printf '{"manifest": "%s", "steps": %s}\n' "$MANIFEST" "$2" >"$1"
}
ACTIVATE='{"op": "activate", "verify": "10m"}'
COST_CENTER='{"op": "cost-center", "map": {"cost_center": "Site"}}'
USAGE_LIMIT='{"op": "usage-limit", "set": {"kb_limit": "51200", "action": "email", "usernames": "ops.alice"}}'

say "$ROWS rows, 3 steps, lattigo-sim --latency-ms $LATENCY_MS --activation-delay-ms $DELAY_MS, --concurrency $CONCURRENCY"
# 1. the steps job
provision_sim
steps_job "$RUN_DIR/steps.json" "[$ACTIVATE, $COST_CENTER, $USAGE_LIMIT]"
timed steps run "$RUN_DIR/steps.json" --endpoint "$SIM_URL" --concurrency "$CONCURRENCY" --yes --quiet \
	--out "$RUN_DIR/steps-out"
steps_wall=$WALL steps_cpu=$CPU
steps_ok=$(ok_rows "$RUN_DIR/steps-out/results.csv")
stop_sim

# 2. each step alone: activation (with its wait) on a fresh account, then the
# two others on the activated lot
provision_sim
steps_job "$RUN_DIR/activate.json" "[$ACTIVATE]"
timed activate run "$RUN_DIR/activate.json" --endpoint "$SIM_URL" --concurrency "$CONCURRENCY" --yes \
	--quiet --out "$RUN_DIR/activate-out"
activate_wall=$WALL
timed cost-center run --op cost-center --manifest "$MANIFEST" --map device_name=iccid --map cost_center=Site \
	--endpoint "$SIM_URL" --concurrency "$CONCURRENCY" --quiet --out "$RUN_DIR/cc-out"
cc_wall=$WALL
timed usage-limit run --op usage-limit --manifest "$MANIFEST" --map device_name=iccid --set kb_limit=51200 \
	--set action=email --set usernames=ops.alice --endpoint "$SIM_URL" --concurrency "$CONCURRENCY" \
	--quiet --out "$RUN_DIR/ul-out"
ul_wall=$WALL
stop_sim
slowest=$(max "$activate_wall" "$(max "$cc_wall" "$ul_wall")")

# 3. three separate jobs, the way it is done today: activate and verify, keep
# the rows that ended ok (their device names), then the two others
provision_sim
separate_start=$(date +%s.%N)
timed job1 run --op activate --manifest "$MANIFEST" --endpoint "$SIM_URL" --concurrency "$CONCURRENCY" \
	--verify=10m --yes --quiet --out "$RUN_DIR/job1"
python3 - "$RUN_DIR/job1/results.csv" "$MANIFEST" "$RUN_DIR/activated.csv" <<'PY'
import csv, sys
ok = {r["row"] for r in csv.DictReader(open(sys.argv[1])) if r["status"] == "ok"}
rows = csv.DictReader(open(sys.argv[2]))
with open(sys.argv[3], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["device_name", "Site"])
    for number, row in enumerate(rows, 1):
        if str(number) in ok:
            writer.writerow([row["iccid"], row["Site"]])  # the simulator names devices by ICCID
PY
timed job2 run --op cost-center --manifest "$RUN_DIR/activated.csv" --map cost_center=Site \
	--endpoint "$SIM_URL" --concurrency "$CONCURRENCY" --quiet --out "$RUN_DIR/job2"
timed job3 run --op usage-limit --manifest "$RUN_DIR/activated.csv" --set kb_limit=51200 --set action=email \
	--set usernames=ops.alice --endpoint "$SIM_URL" --concurrency "$CONCURRENCY" --quiet \
	--out "$RUN_DIR/job3"
separate_wall=$(awk -v a="$separate_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
stop_sim

printf '%-54s %10s  %s\n' "steps job (3 steps, pipelined): wall s" "$steps_wall" "rows ok $steps_ok of $ROWS, CPU $steps_cpu s"
printf '%-54s %10s  %s\n' "activate + verify alone: wall s" "$activate_wall" ""
printf '%-54s %10s  %s\n' "cost-center alone: wall s" "$cc_wall" ""
printf '%-54s %10s  %s\n' "usage-limit alone: wall s" "$ul_wall" ""
printf '%-54s %10s  %s\n' "steps job / slowest step alone" "$(ratio "$steps_wall" "$slowest")" "target <= 1.3"
printf '%-54s %10s  %s\n' "three separate jobs, filtering between: wall s" "$separate_wall" ""
printf '%-54s %10s  %s\n' "steps job / three separate jobs" "$(ratio "$steps_wall" "$separate_wall")" ""
printf '%-54s %10s\n' "load average" "$(cut -d' ' -f1-3 /proc/loadavg)"
