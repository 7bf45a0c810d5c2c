# shellcheck shell=bash
# The frame every benchmark script shares (sourced by bench/*.sh after it set
# ROOT): a random API key, a run directory, the Release build, lattigo-sim on an
# ephemeral loopback port, and every child stopped and reaped on exit.
# The simulator's port is read from its first line of output ("listening on
# 127.0.0.1:PORT"), never fixed and never waited for with a sleep.

BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BENCH_DIR=${BENCH_DIR:-/tmp/lattigo-bench}
CHILD_PIDS=()

say() { echo "# $*" >&2; }
# now: the wall clock in seconds; seconds START END: the time between two of them.
now() { date +%s.%N; }
seconds() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# bench_init NAME: exports LATTIGO_KEY_NAME / LATTIGO_API_KEY (a fresh random
# key, so no real one is ever near a benchmark), makes RUN_DIR under BENCH_DIR
# and arranges for every child to be stopped and reaped, and RUN_DIR removed, on exit.
bench_init() {
	BENCH_NAME=$1
	export LATTIGO_KEY_NAME=bench-key
	LATTIGO_API_KEY=bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	export LATTIGO_API_KEY
	mkdir -p "$BENCH_DIR"
	RUN_DIR=$(mktemp -d "$BENCH_DIR/$BENCH_NAME.XXXXXX")
	trap bench_cleanup EXIT
}

bench_cleanup() {
	local pid
	for pid in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$RUN_DIR"
}

# bench_build TARGET...: builds the targets (Release, tests off) into BUILD_DIR
# when one is missing; sets BATCH (unless the caller chose another build) and SIM.
bench_build() {
	local target missing=0
	for target in "$@"; do [ -x "$BUILD_DIR/$target" ] || missing=1; done
	if [ "$missing" = 1 ]; then
		say "building $* (Release) into $BUILD_DIR"
		cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLATTIGO_TESTS=OFF >/dev/null
		cmake --build "$BUILD_DIR" -j2 --target "$@" >/dev/null
	fi
	BATCH=${BATCH:-$BUILD_DIR/lattigo-batch}
	SIM=${SIM:-$BUILD_DIR/lattigo-sim}
}

# start_sim NAME [options...]: lattigo-sim with the bench credentials on an
# ephemeral loopback port; its stderr (the --verbose log) goes to
# $RUN_DIR/NAME.log. Sets SIM_PID, SIM_URL and SIM_START_SECONDS (exec to its
# "listening on" line). A simulator that exits before listening ends the script
# at once (end of file on the pipe); SIM_START_TIMEOUT (default 900 s, a
# 10,000,000-device account takes a while) bounds one that hangs.
start_sim() {
	local name=$1 fifo="$RUN_DIR/$1.$RANDOM.fifo" line="" started sim_fd
	shift
	mkfifo "$fifo"
	started=$(date +%s%N)
	"$SIM" --port 0 --key-name "$LATTIGO_KEY_NAME" --api-key "$LATTIGO_API_KEY" "$@" \
		>"$fifo" 2>"$RUN_DIR/$name.log" &
	SIM_PID=$!
	CHILD_PIDS+=("$SIM_PID")
	exec {sim_fd}<"$fifo"
	if ! IFS= read -r -t "${SIM_START_TIMEOUT:-900}" line <&"$sim_fd" || [ "${line#listening on }" = "$line" ]; then
		echo "$BENCH_NAME: lattigo-sim did not start: $line $(tail -3 "$RUN_DIR/$name.log")" >&2
		exit 1
	fi
	SIM_START_SECONDS=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	SIM_URL="http://127.0.0.1:${line##*:}"
	# keep draining its stdout so that it never blocks on a full pipe
	cat <&"$sim_fd" >/dev/null &
	CHILD_PIDS+=("$!")
	exec {sim_fd}<&-
	rm -f "$fifo"
}

# stop_sim: SIGTERM to the simulator and reap it.
stop_sim() {
	kill -TERM "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
}

# peak_kb PID: the peak resident set of process PID so far, in KB (0 once it is gone).
# scale_manifest ROWS DEVICES: the path of the cost-center manifest of ROWS
# rows on a DEVICES-device simulator account, generated into BENCH_DIR once
# and kept (bench/scale.sh and bench/resume.sh share it).
scale_manifest() {
	local manifest="$BENCH_DIR/scale-cost-center-$1-$2.csv"
	if [ ! -s "$manifest" ]; then
		say "generating $manifest"
		python3 "$ROOT/scripts/gen-manifest.py" --op cost-center --rows "$1" --names sim-default \
			--sim-devices "$2" --out "$manifest.tmp.$$" >&2
		mv "$manifest.tmp.$$" "$manifest"
	fi
	echo "$manifest"
}

peak_kb() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0
}

# build_bare_driver: compiles bench/bare_driver.c (the bare libcurl-multi
# driver the client is compared with) into $RUN_DIR/bare_driver.
build_bare_driver() {
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -o "$RUN_DIR/bare_driver" \
		"$ROOT/bench/bare_driver.c" $(pkg-config --cflags --libs libcurl)
}

# measure_before_after: the calling script's `measure NAME BINARY` (which
# leaves RUN_DIR/NAME.csv) with BEFORE when it is set, then with BATCH, the
# load average around them, and whether the two verify.csv are byte-identical.
measure_before_after() {
	echo "load before verify: $(cut -d' ' -f1-3 /proc/loadavg)"
	if [ -n "${BEFORE:-}" ]; then
		measure before "$BEFORE"
		echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	fi
	measure after "$BATCH"
	echo "load after verify: $(cut -d' ' -f1-3 /proc/loadavg)"
	[ -n "${BEFORE:-}" ] || return 0
	if cmp -s "$RUN_DIR/before.csv" "$RUN_DIR/after.csv"; then
		echo "verify.csv: byte-identical ($(wc -l <"$RUN_DIR/after.csv") lines)"
	else
		echo "verify.csv: DIFFERS"
	fi
}
