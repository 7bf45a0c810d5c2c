#!/usr/bin/env bash
# Throughput benchmark of lattigo-batch (issues 4 and 5), one run, loopback
# only, bounded in time (a few minutes), every child stopped and reaped:
#   1. 20,000-row cost-center job (chunk 100) and 5,000-row note job, both at
#      --concurrency 8 against `lattigo-sim --latency-ms 20`: rows/s and
#      efficiency = measured / (concurrency x chunk / latency);
#   2. the same calls by a plain sequential Python script (bench/peers/python_requests.py);
#   3. the same calls by a bare libcurl-multi driver (bench/bare_driver.c);
#   4. the sim at --rate 50, no client --rate: accepted calls/s / 50 and share of 429s;
#   5. peak RSS of lattigo-batch at 20,000 vs 200,000 rows;
#   6. durability cost (journal + audit on vs off) when the CLI has a switch for it;
#   7. resume at 90 % of a 1,000,000-row job: time to the first call and in all;
#   8. the preflight (issue 10) of a 20,000-row cost-center job on a 20,000-device
#      account, read by `plan` (the reads `run` makes before its first write):
#      calls, seconds, share of the job's time (the job's own preflight in its
#      summary.json), read efficiency = (calls / s) / (concurrency / latency),
#      from the best of PLAN_RUNS (default 5) plan runs, every run's read shown;
#      beside it the same page GETs by the bare libcurl-multi driver, bodies
#      discarded (one run after each plan run, the best taken): the ceiling the
#      simulator and the machine leave to any client;
#      then the same job with half the rows already in place: rows found
#      unchanged, write calls saved.
# Sections 1-7 measure the sending engine, so their jobs run with
# --no-preflight: the peers they are compared with send the same calls and read
# nothing first, and a job repeated against the same simulator would otherwise
# find its rows already in place and send nothing (best of 5 would time no
# sending at all). What the preflight adds to a job is section 8's figure.
# A section whose feature is missing prints "n/a (feature not present)".
# Environment: BUILD_DIR (default build/, Release, built here when missing),
# BENCH_DIR (default /tmp/lattigo-bench), SKIP_RESUME=1 to leave out section 7,
# SKIP_SENDING=1 to leave out sections 1-6 (only the resume figures), SKIP_PREFLIGHT=1
# to leave out section 8.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
LATENCY_MS=20
CONCURRENCY=8
SIM_DEVICES=${SIM_DEVICES:-20000}
JOB_TIMEOUT=120       # seconds; a job that takes longer is stopped (SIGINT) and reported as it is
PYTHON_NOTE_ROWS=1000 # a sequential script needs 20+ ms a row: a sample is enough for its rate
MEASURE="python3 $ROOT/bench/peers/measure.py"
GEN="python3 $ROOT/scripts/gen-manifest.py"
PEER="timeout 300 python3 $ROOT/bench/peers/python_requests.py"
bench_init run
bench_build lattigo-batch lattigo-sim
build_bare_driver

manifest() { # op rows [generator options...] -> cached path
	local op=$1 rows=$2 path
	shift 2
	path="$BENCH_DIR/$op-$rows$(printf -- '-%s' "$@" | tr -cs 'a-z0-9' '-').csv"
	if [ ! -s "$path" ]; then
		$GEN --op "$op" --rows "$rows" --seed 42 "$@" --out "$path.tmp"
		mv "$path.tmp" "$path"
	fi
	echo "$path"
}

json_field() { # file key -> value (or "?")
	python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))[sys.argv[2]])
except Exception: print("?")' "$1" "$2"
}

# batch_job NAME ROWS args...: runs lattigo-batch run with --out $RUN_DIR/NAME.N,
# BEST_OF times (default 1), each into a new job directory; sets JOB_WALL (the
# fastest), JOB_RSS (the largest), JOB_EXIT, JOB_RPS (rows / JOB_WALL) and
# JOB_OUT (the directory of the fastest run). EXPECT_EXIT (default 0) is the
# exit status the job should end with; JOB_ENV is passed to env(1).
batch_job() {
	local name=$1 rows=$2 i wall rss status
	shift 2
	JOB_WALL="" JOB_RSS=0
	for ((i = 1; i <= ${BEST_OF:-1}; i++)); do
		# shellcheck disable=SC2086
		read -r wall rss status _ < <($MEASURE --stderr "$RUN_DIR/$name.$i.stderr" -- \
			timeout -s INT "$JOB_TIMEOUT" env ${JOB_ENV:-} "$BATCH" run --out "$RUN_DIR/$name.$i" --quiet "$@")
		JOB_EXIT=$status
		if [ "$status" != "${EXPECT_EXIT:-0}" ]; then
			say "$name: lattigo-batch exited with $status: $(tail -3 "$RUN_DIR/$name.$i.stderr" | tr '\n' ' ')"
		fi
		if [ -z "$JOB_WALL" ] || awk -v a="$wall" -v b="$JOB_WALL" 'BEGIN { exit !(a < b) }'; then
			JOB_WALL=$wall JOB_OUT="$RUN_DIR/$name.$i"
		fi
		[ "$rss" -gt "$JOB_RSS" ] && JOB_RSS=$rss
	done
	JOB_RPS=$(awk -v r="$rows" -v w="$JOB_WALL" 'BEGIN { printf "%.0f", r / w }')
}

# the sending engine alone in sections 1-7 (see the header)
SEND_ONLY=()
"$BATCH" run --help 2>&1 | grep -- --no-preflight >/dev/null && SEND_ONLY=(--no-preflight)

TABLE=()
row() { # figure measured target sense(>= or <) [note]
	local verdict
	if [ "$2" = "n/a" ] || [ -z "$3" ]; then
		verdict=""
	elif awk -v a="$2" -v b="$3" -v s="$4" 'BEGIN { exit !(s == ">=" ? a >= b : a < b) }'; then
		verdict=met
	else
		verdict=MISSED
	fi
	TABLE+=("$(printf '%-44s %12s %10s  %-6s %s' "$1" "$2" "${3:+$4 $3}" "$verdict" "${5:-}")")
}

if [ "${SKIP_SENDING:-0}" != 1 ]; then
cost_center=$(manifest cost-center 20000 --names sim-default --sim-devices "$SIM_DEVICES")
notes=$(manifest note 5000 --names sim-default --sim-devices "$SIM_DEVICES")
big_cost_center=$(manifest cost-center 200000 --names sim-default --sim-devices 200000)
$PEER --op cost-center --manifest "$cost_center" --chunk 100 --emit "$RUN_DIR/cost-center.calls"
$PEER --op note --manifest "$notes" --emit "$RUN_DIR/note.calls"

say "1-3, 5: lattigo-sim --latency-ms $LATENCY_MS --devices $SIM_DEVICES"
start_sim main --latency-ms "$LATENCY_MS" --devices "$SIM_DEVICES"
ideal_cc=$((CONCURRENCY * 100 * 1000 / LATENCY_MS))
ideal_note=$((CONCURRENCY * 1 * 1000 / LATENCY_MS))

BEST_OF=5 batch_job cost-center 20000 --op cost-center --manifest "$cost_center" --chunk 100 \
	--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
cc_rps=$JOB_RPS cc_rss=$JOB_RSS
cc_engine_rps=$(json_field "$JOB_OUT/summary.json" rows_per_second)
batch_job note 5000 --op note --manifest "$notes" --concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
note_rps=$JOB_RPS
note_engine_rps=$(json_field "$JOB_OUT/summary.json" rows_per_second)
say "lattigo-batch: cost-center $cc_rps rows/s (engine's own figure $cc_engine_rps), note $note_rps rows/s ($note_engine_rps)"

read -r _ _ _ _ _ _ _ py_cc_rps _ < <($PEER --url "$SIM_URL" --op cost-center --manifest "$cost_center" --chunk 100)
read -r _ _ _ _ _ _ _ py_note_rps _ < <($PEER --url "$SIM_URL" --op note --manifest "$notes" --limit "$PYTHON_NOTE_ROWS")
say "python sequential: cost-center $py_cc_rps rows/s, note $py_note_rps rows/s"

cc_bare_cps=0
for _ in 1 2 3; do # best of three, like the lattigo-batch run it is compared with
	read -r _ cc_calls _ _ _ cps _ < <(timeout 300 "$RUN_DIR/bare_driver" "$SIM_URL" "$RUN_DIR/cost-center.calls" "$CONCURRENCY")
	cc_bare_cps=$(awk -v a="$cps" -v b="$cc_bare_cps" 'BEGIN { print (a > b ? a : b) }')
done
read -r _ note_calls _ _ _ note_bare_cps _ < <(timeout 300 "$RUN_DIR/bare_driver" "$SIM_URL" "$RUN_DIR/note.calls" "$CONCURRENCY")
cc_bare_rps=$(awk -v c="$cc_bare_cps" 'BEGIN { printf "%.0f", c * 20000 / '"$cc_calls"' }')
note_bare_rps=$(awk -v c="$note_bare_cps" 'BEGIN { printf "%.0f", c }')
say "bare libcurl-multi driver: cost-center $cc_bare_rps rows/s ($cc_calls calls), note $note_bare_rps rows/s"

EXPECT_EXIT=1 batch_job cost-center-200k 200000 --op cost-center --manifest "$big_cost_center" --chunk 100 \
	--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
big_rss=$JOB_RSS
say "peak RSS: 20k rows $((cc_rss / 1024)) MB, 200k rows $((big_rss / 1024)) MB ($JOB_RPS rows/s;" \
	"rows naming devices beyond the sim's $SIM_DEVICES end as 'error')"

durability_flag=$("$BATCH" run --help 2>&1 | grep -oE -- '--no-(journal|audit|durability)' | sort -u | tr '\n' ' ' || true)
if [ -n "$durability_flag" ]; then
	# shellcheck disable=SC2086
	BEST_OF=3 batch_job cost-center-bare 20000 --op cost-center --manifest "$cost_center" --chunk 100 \
		--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}" $durability_flag
	durability_cost=$(awk -v on="$cc_rps" -v off="$JOB_RPS" 'BEGIN { printf "%.3f", 1 - on / off }')
else
	durability_cost=n/a
fi
# Without a switch, what can be measured is the cost of making the journal and
# audit trail durable: the same job with fsync/fdatasync turned into no-ops.
printf '%s\n' 'int fsync(int fd);' 'int fdatasync(int fd);' 'int fsync(int fd) { (void)fd; return 0; }' \
	'int fdatasync(int fd) { (void)fd; return 0; }' >"$RUN_DIR/nofsync.c"
cc -O2 -shared -fPIC -o "$RUN_DIR/nofsync.so" "$RUN_DIR/nofsync.c"
# Interleaved (with, without, with, ...) so that drift of a loaded machine or
# of the simulator hits both sides alike; the best of three of each.
sync_rps=0 nofsync_rps=0
for round in 1 2 3; do
	batch_job "cost-center-fsync-$round" 20000 --op cost-center --manifest "$cost_center" --chunk 100 \
		--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
	sync_rps=$(awk -v a="$JOB_RPS" -v b="$sync_rps" 'BEGIN { print (a > b ? a : b) }')
	JOB_ENV="LD_PRELOAD=$RUN_DIR/nofsync.so" batch_job "cost-center-nofsync-$round" 20000 --op cost-center \
		--manifest "$cost_center" --chunk 100 --concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
	nofsync_rps=$(awk -v a="$JOB_RPS" -v b="$nofsync_rps" 'BEGIN { print (a > b ? a : b) }')
done
fsync_cost=$(awk -v on="$sync_rps" -v off="$nofsync_rps" 'BEGIN { printf "%.3f", 1 - on / off }')
say "fsync cost: $sync_rps rows/s with, $nofsync_rps rows/s with fsync/fdatasync as no-ops"
stop_sim

say "4: lattigo-sim --rate 50 --latency-ms $LATENCY_MS, no client --rate"
rate_manifest=$(manifest cost-center 5000 --names sim-default --sim-devices "$SIM_DEVICES")
start_sim rate --rate 50 --latency-ms "$LATENCY_MS" --devices "$SIM_DEVICES"
batch_job rate 5000 --op cost-center --manifest "$rate_manifest" --chunk 10 \
	--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}"
stop_sim
read -r rate_share throttled_share < <(python3 -c 'import json,sys
s = json.load(open(sys.argv[1]))
calls, throttled, wall = s["calls"], s["throttled"], s["wall_time_seconds"]
print("%.3f %.3f" % ((calls - throttled) / wall / 50, throttled / calls if calls else 0))' \
	"$JOB_OUT/summary.json" 2>/dev/null || echo "n/a n/a")
say "rate: accepted calls/s / 50 = $rate_share, 429 share $throttled_share"
fi

resume_first=n/a resume_total=n/a resume_note="feature not present"
if [ "${SKIP_RESUME:-0}" = 1 ]; then
	resume_note="skipped (SKIP_RESUME=1)"
else
	say "7: resume at 90 % of a 1,000,000-row job (lattigo-sim --latency-ms 0 --verbose)"
	million=$(manifest cost-center 1000000 --names prefix)
	start_sim resume --verbose
	log="$RUN_DIR/resume.log"
	"$BATCH" run --op cost-center --manifest "$million" --chunk 100 --concurrency "$CONCURRENCY" \
		--endpoint "$SIM_URL" "${SEND_ONLY[@]}" --out "$RUN_DIR/million" --quiet 2>"$RUN_DIR/million.stderr" &
	job_pid=$!
	CHILD_PIDS+=("$job_pid")
	# 10,000 calls carry the million rows; stop it hard once 9,000 were answered.
	deadline=$((SECONDS + 180))
	while kill -0 "$job_pid" 2>/dev/null && [ "$(wc -l <"$log")" -lt 9000 ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.2
	done
	kill -KILL "$job_pid" 2>/dev/null || true
	wait "$job_pid" 2>/dev/null || true
	calls_before=$(wc -l <"$log")
	if [ "$calls_before" -ge 9000 ] && [ "$calls_before" -lt 10000 ]; then
		read -r _ first _ total _ status < <(python3 "$ROOT/bench/peers/first_request.py" --watch "$log" \
			--timeout 120 -- "$BATCH" run --op cost-center --manifest "$million" --chunk 100 \
			--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" "${SEND_ONLY[@]}" --out "$RUN_DIR/million" --quiet)
		calls_after=$(($(wc -l <"$log") - calls_before))
		rows_done=$(($(wc -l <"$RUN_DIR/million/results.csv" 2>/dev/null || echo 1) - 1))
		# a resume that re-sends what was done is no resume
		if [ "$status" -le 1 ] && [ "$calls_after" -lt 5000 ] && [ "$rows_done" -eq 1000000 ]; then
			resume_first=$first resume_total=$total resume_note="$calls_after calls after the kill at $calls_before"
		else
			resume_note="feature not present (exit $status, $calls_after calls re-sent, $rows_done rows in results.csv)"
		fi
	else
		resume_note="feature not present (the job did not reach 90 % in time: $calls_before calls)"
	fi
	stop_sim
fi

pre_calls=n/a pre_seconds=n/a pre_share=n/a pre_efficiency=n/a pre_writes=n/a pre_saved=n/a pre_bare=n/a pre_of_bare=n/a pre_bare_note=""
pre_note="feature not present" pre_half_note=""
if [ "${SKIP_PREFLIGHT:-0}" = 1 ]; then
	pre_note="skipped (SKIP_PREFLIGHT=1)"
elif "$BATCH" plan --help >/dev/null 2>&1; then
	say "8: preflight of a 20,000-row cost-center job, lattigo-sim --latency-ms $LATENCY_MS --devices 20000"
	pre_manifest=$(manifest cost-center 20000 --names sim-default --sim-devices 20000)
	start_sim preflight --latency-ms "$LATENCY_MS" --devices 20000
	meta_of() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["calls"], m["read_ms"], m["scope"])' "$1"; }
	# the read lasts about 80 ms, so one run is at the mercy of the shared
	# machine: the best of PLAN_RUNS (default 5), as the sending figures take
	# the best of their runs; every run's read time is shown beside it
	pre_ms="" pre_all="" bare_seconds="" bare_all=""
	for ((run = 1; run <= ${PLAN_RUNS:-5}; run++)); do
		"$BATCH" plan --op cost-center --manifest "$pre_manifest" --concurrency "$CONCURRENCY" \
			--endpoint "$SIM_URL" --out "$RUN_DIR/preflight-plan.$run" >"$RUN_DIR/preflight-plan.out" 2>&1 || true
		read -r calls ms scope < <(meta_of "$RUN_DIR/preflight-plan.$run/snapshot/meta.json")
		pre_all="$pre_all${pre_all:+ }$ms"
		if [ -z "$pre_ms" ] || [ "$ms" -lt "$pre_ms" ]; then
			pre_calls=$calls pre_ms=$ms pre_scope=$scope
		fi
		# the same page GETs with nothing done with the answers: the pages
		# as plan asks them (the account's 20,000 devices in `calls` pages)
		per_page=$(((20000 + calls - 1) / calls))
		for ((page = 1; page <= calls; page++)); do
			printf 'GET\tv2/devices?details=true&page=%d&per_page=%d\t\n' "$page" "$per_page"
		done >"$RUN_DIR/preflight-pages.calls"
		read -r _ _ _ seconds _ < <(timeout 60 "$RUN_DIR/bare_driver" "$SIM_URL" \
			"$RUN_DIR/preflight-pages.calls" "$CONCURRENCY")
		bare_all="$bare_all${bare_all:+ }$(awk -v s="$seconds" 'BEGIN { printf "%d", s * 1000 + 0.5 }')"
		if [ -z "$bare_seconds" ] || awk -v a="$seconds" -v b="$bare_seconds" 'BEGIN { exit !(a < b) }'; then
			bare_seconds=$seconds bare_calls=$calls
		fi
	done
	batch_job preflight-job 20000 --op cost-center --manifest "$pre_manifest" --chunk 100 \
		--concurrency "$CONCURRENCY" --endpoint "$SIM_URL"
	pre_writes=$(json_field "$JOB_OUT/summary.json" calls)
	pre_seconds=$(awk -v ms="$pre_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
	# the job's own preflight (its summary.json) within the job's wall time
	job_pre_s=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["preflight"]["read_seconds"])
except Exception: print(0)' "$JOB_OUT/summary.json")
	pre_share=$(awk -v p="$job_pre_s" -v w="$JOB_WALL" 'BEGIN { printf "%.3f", p / w }')
	# the probe is one call; the pages are read concurrently, each taking one latency at best
	pre_efficiency=$(awk -v c="$pre_calls" -v ms="$pre_ms" -v n="$CONCURRENCY" -v l="$LATENCY_MS" \
		'BEGIN { printf "%.2f", (c / (ms / 1000)) / (n / (l / 1000)) }')
	pre_note="scope $pre_scope; the job's own writes: $pre_writes calls in ${JOB_WALL}s, its preflight ${job_pre_s}s of it; read ms of the ${PLAN_RUNS:-5} plan runs: $pre_all (best taken)"
	pre_bare=$(awk -v c="$bare_calls" -v s="$bare_seconds" -v n="$CONCURRENCY" -v l="$LATENCY_MS" \
		'BEGIN { printf "%.2f", (c / s) / (n / (l / 1000)) }')
	pre_of_bare=$(awk -v p="$pre_efficiency" -v b="$pre_bare" 'BEGIN { printf "%.2f", p / b }')
	pre_bare_note="the same $bare_calls page GETs, answers discarded: ms of the ${PLAN_RUNS:-5} runs $bare_all (best taken)"
	# half the rows already in place: the first half's job ran above, against this
	# sim; a new job directory of the whole manifest then finds them unchanged
	head -10001 "$pre_manifest" >"$RUN_DIR/preflight-half.csv"
	"$BATCH" run --op cost-center --manifest "$pre_manifest" --chunk 100 --concurrency "$CONCURRENCY" \
		--endpoint "$SIM_URL" --out "$RUN_DIR/preflight-reset" --quiet --set cost_center=BENCH-OTHER \
		>/dev/null 2>&1 || true
	"$BATCH" run --op cost-center --manifest "$RUN_DIR/preflight-half.csv" --chunk 100 \
		--concurrency "$CONCURRENCY" --endpoint "$SIM_URL" --out "$RUN_DIR/preflight-half-first" --quiet \
		>/dev/null 2>&1 || true
	"$BATCH" plan --op cost-center --manifest "$pre_manifest" --concurrency "$CONCURRENCY" \
		--endpoint "$SIM_URL" --out "$RUN_DIR/preflight-half-plan" >"$RUN_DIR/preflight-half.out" 2>&1 || true
	unchanged=$(sed -n 's/^  unchanged *\([0-9]*\)$/\1/p' "$RUN_DIR/preflight-half.out")
	if "$BATCH" run --help 2>&1 | grep -- --no-preflight >/dev/null; then
		batch_job preflight-half-job 20000 --op cost-center --manifest "$pre_manifest" --chunk 100 \
			--concurrency "$CONCURRENCY" --endpoint "$SIM_URL"
		half_writes=$(json_field "$JOB_OUT/summary.json" calls)
		half_reads=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["preflight"]["calls"])
except Exception: print("?")' "$JOB_OUT/summary.json")
		pre_saved=$(awk -v a="$pre_writes" -v b="$half_writes" 'BEGIN { print a - b }')
		pre_half_note="$unchanged rows unchanged; the job made $half_writes write calls (and $half_reads preflight reads) instead of $pre_writes"
	else
		pre_saved=$(awk -v a="$pre_writes" -v u="${unchanged:-0}" 'BEGIN { print a - int((20000 - u + 99) / 100) }')
		pre_half_note="$unchanged rows unchanged (plan); run does not skip them yet: saving computed from the plan"
	fi
	stop_sim
fi

if [ "${SKIP_SENDING:-0}" != 1 ]; then
row "cost-center 20k rows, chunk 100: rows/s" "$cc_rps" "" "" "ideal $ideal_cc; engine's own figure $cc_engine_rps"
row "  efficiency (rows/s / ideal)" "$(awk -v m="$cc_rps" -v i="$ideal_cc" 'BEGIN { printf "%.2f", m / i }')" 0.85 ">="
row "  vs sequential python ($py_cc_rps rows/s)" "$(awk -v m="$cc_rps" -v p="$py_cc_rps" 'BEGIN { printf "%.1f", m / p }')" 7 ">="
row "  vs bare libcurl-multi ($cc_bare_rps rows/s)" "$(awk -v m="$cc_rps" -v b="$cc_bare_rps" 'BEGIN { printf "%.2f", m / b }')" 0.9 ">="
row "note 5k rows, one call per row: rows/s" "$note_rps" "" "" "ideal $ideal_note; engine's own figure $note_engine_rps"
row "  efficiency (rows/s / ideal)" "$(awk -v m="$note_rps" -v i="$ideal_note" 'BEGIN { printf "%.2f", m / i }')" 0.85 ">="
row "  vs sequential python ($py_note_rps rows/s)" "$(awk -v m="$note_rps" -v p="$py_note_rps" 'BEGIN { printf "%.1f", m / p }')" 7 ">="
row "  vs bare libcurl-multi ($note_bare_rps rows/s)" "$(awk -v m="$note_rps" -v b="$note_bare_rps" 'BEGIN { printf "%.2f", m / b }')" 0.9 ">="
row "sim --rate 50: accepted calls/s / 50" "$rate_share" 0.85 ">="
row "  share of calls answered 429" "$throttled_share" 0.05 "<"
row "peak RSS 20k rows (MB)" "$(awk -v k="$cc_rss" 'BEGIN { printf "%.1f", k / 1024 }')" "" ""
row "peak RSS 200k / 20k rows" "$(awk -v a="$big_rss" -v b="$cc_rss" 'BEGIN { printf "%.2f", a / b }')" 1.2 "<"
row "durability cost (1 - on/off rows/s)" "$durability_cost" 0.10 "<" \
	"$([ "$durability_cost" = n/a ] && echo "n/a (feature not present: no switch to turn journal/audit off)")"
row "fsync cost (1 - rows/s / rows/s without fsync)" "$fsync_cost" 0.10 "<" "$sync_rps rows/s with, $nofsync_rps without (fsync/fdatasync no-ops by LD_PRELOAD)"
fi
row "resume at 90 % of 1M rows: first call (s)" "$resume_first" 2 "<" "$resume_note"
row "  resume: remaining 10 % in all (s)" "$resume_total" "" ""
row "preflight 20k rows / 20k devices: calls" "$pre_calls" "${pre_writes/n\/a/}" "<" "$pre_note"
row "  preflight seconds" "$pre_seconds" "" ""
row "  share of the job's time" "$pre_share" "" ""
row "  read efficiency (calls/s / concurrency÷latency)" "$pre_efficiency" 0.85 ">="
row "  bare libcurl-multi, same GETs: efficiency" "$pre_bare" "" "" "$pre_bare_note"
row "  read efficiency / bare libcurl-multi's" "$pre_of_bare" "" ""
row "  half in place: write calls saved" "$pre_saved" "" "" "$pre_half_note"

echo
echo "throughput benchmark, $(date -u +%Y-%m-%dT%H:%MZ), lattigo-sim --latency-ms $LATENCY_MS, --concurrency $CONCURRENCY, load average $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-44s %12s %10s  %-6s %s\n' figure measured target verdict note
printf '%s\n' "${TABLE[@]}"
