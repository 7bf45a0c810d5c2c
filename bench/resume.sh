#!/usr/bin/env bash
# Resume benchmark (issue 14, "Resume independent of job size"): the time a
# resume at 90 % of a ROWS-row cost-center job takes to its first call, from
# one kept job directory, so that the same state is resumed as often as wanted
# (and by several builds: BATCH, BATCH_OTHER).
#   1. once per ROWS and preflight setting: the job of bench/scale.sh (ROWS
#      rows, a ROWS-device `lattigo-sim --latency-ms 20`, --concurrency 16
#      --chunk 100), SIGKILLed once 90 % of its calls were answered; its job
#      directory is kept as KEEP (default BENCH_DIR/resume-keep-ROWS-PREFLIGHT);
#   2. ROUNDS times (default 3): KEEP copied afresh (cp -a), the same command
#      run again (it resumes) against a small simulator (the first call does
#      not need the account), SIGKILLed at its first write: seconds to that
#      write (wall, and the resuming process's CPU: steadier on a shared
#      machine) and its peak RSS until then (VmHWM). With BATCH_OTHER, the
#      other build resumes the same copy in each round, interleaved (or a
#      copy of KEEP_OTHER: the same job kept in a format only it reads,
#      e.g. after bench/verdicts_v2.py rewrote KEEP's verdicts).
# PERF=1 records the first round under `perf record -g` (RUN_DIR kept when
# KEEP_RUN=1). A benchmark, not a test: figures are printed, never asserted.
# Environment: ROWS (default 1,000,000), PREFLIGHT (on|off, default on),
# BUILD_DIR, BATCH, BENCH_DIR as in bench/lib/sim.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
ROWS=${ROWS:-1000000}
PREFLIGHT=${PREFLIGHT:-on}
ROUNDS=${ROUNDS:-3}
CHUNK=100
bench_init resume
bench_build lattigo-batch lattigo-sim
KEEP=${KEEP:-$BENCH_DIR/resume-keep-$ROWS-$PREFLIGHT}

manifest=$(scale_manifest "$ROWS" "$ROWS")
job_args() { # job_args OUT URL
	JOB=(run --op cost-center --manifest "$manifest" --chunk "$CHUNK" --concurrency 16
		--endpoint "$2" --out "$1" --quiet)
	[ "$PREFLIGHT" = off ] && JOB+=(--no-preflight)
	return 0
}

if [ ! -d "$KEEP" ]; then
	say "preparing $KEEP: $ROWS rows, SIGKILL at 90 % of the writes"
	start_sim prepare --latency-ms 20 --devices "$ROWS" --max-connections 64 --verbose
	log="$RUN_DIR/prepare.log"
	job_args "$RUN_DIR/kept" "$SIM_URL"
	"$BATCH" "${JOB[@]}" 2>"$RUN_DIR/prepare.stderr" &
	job_pid=$!
	CHILD_PIDS+=("$job_pid")
	kill_at=$(((ROWS + CHUNK - 1) / CHUNK * 9 / 10))
	while kill -0 "$job_pid" 2>/dev/null && [ "$(grep -c ' PUT ' "$log" || true)" -lt "$kill_at" ]; do
		sleep 1
	done
	kill -KILL "$job_pid" 2>/dev/null || true
	wait "$job_pid" 2>/dev/null || true
	stop_sim
	mv "$RUN_DIR/kept" "$KEEP"
fi

# one small account: the resume's first call needs no device of the job
start_sim measure --devices 1000 --verbose
log="$RUN_DIR/measure.log"

# resume_once BATCH TAG KEPT [PERF_FILE]: prints "TAG wall cpu peak_mb" for one resume of a fresh copy of KEPT.
resume_once() {
	local batch=$1 tag=$2 kept=$3 perf_file=${4:-} job="$RUN_DIR/job"
	rm -rf "$job"
	cp -a "$kept" "$job"
	sync
	job_args "$job" "$SIM_URL"
	JOB+=(--force-endpoint)
	local command=("$batch" "${JOB[@]}")
	[ -n "$perf_file" ] && command=(perf record --call-graph dwarf,16384 -q -o "$perf_file" -- "${command[@]}")
	python3 - "$log" "$tag" "${command[@]}" <<'EOF'
import os, signal, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "bench", "peers"))
from first_request import cpu_seconds
log, tag, command = sys.argv[1], sys.argv[2], sys.argv[3:]
def writes():
    with open(log, "rb") as f:
        return f.read().count(b" PUT ")
base = writes()
started = time.perf_counter()
child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
batch_pid = child.pid
wall = cpu = peak = None
while child.poll() is None:
    if command[0] == "perf" and batch_pid == child.pid:
        try:
            with open("/proc/%d/task/%d/children" % (child.pid, child.pid)) as c:
                batch_pid = int(c.read().split()[0])
        except (OSError, IndexError, ValueError):
            pass
    try:
        with open("/proc/%d/status" % batch_pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    if writes() > base:
        wall = time.perf_counter() - started
        cpu = cpu_seconds(batch_pid)
        os.kill(batch_pid, signal.SIGKILL)
        break
    time.sleep(0.002)
stderr = child.communicate()[1]
if wall is None:
    sys.stderr.write(stderr.decode(errors="replace"))
    print("%s none none none" % tag)
else:
    print("%s %.2f %.2f %.1f" % (tag, wall, cpu, (peak or 0) / 1024))
EOF
}
export ROOT

printf '%-10s %8s %8s %12s   (%s rows, preflight %s, kept %s)\n' build wall_s cpu_s peak_rss_mb \
	"$ROWS" "$PREFLIGHT" "$KEEP"
for round in $(seq 1 "$ROUNDS"); do
	perf_file=""
	if [ "${PERF:-0}" = 1 ] && [ "$round" = 1 ]; then perf_file="$BENCH_DIR/resume-$ROWS.perf.data"; fi
	resume_once "$BATCH" this "$KEEP" "$perf_file"
	if [ -n "${BATCH_OTHER:-}" ]; then resume_once "$BATCH_OTHER" other "${KEEP_OTHER:-$KEEP}"; fi
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${perf_file:-}" ] && say "perf data: $BENCH_DIR/resume-$ROWS.perf.data" || true
