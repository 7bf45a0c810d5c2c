#!/usr/bin/env bash
# Installs like a Unix tool (issue 13): a Release build of this source tree,
# `cmake --install --prefix P` lays out the programs, man pages, completion,
# README and LICENSE; `cpack -G DEB` builds a .deb whose Depends are runtime
# library packages (never -dev); unpacked into a scratch root with dpkg -x,
# its lattigo-batch prints its version and runs a job against its own
# lattigo-sim.
source "$(dirname "$0")/lib.sh"

for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup installs cmake and build-essential)"
done
build="$WORK/build"
cmake -S "$SOURCE_DIR" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLATTIGO_TESTS=OFF >"$WORK/configure.log" 2>&1 ||
  fail "configure: $(tail -5 "$WORK/configure.log")"
cmake --build "$build" -j2 >"$WORK/build.log" 2>&1 || fail "build: $(tail -5 "$WORK/build.log")"

# cmake --install --prefix P
prefix="$WORK/prefix"
cmake --install "$build" --prefix "$prefix" >"$WORK/install.log" 2>&1 || fail "install: $(tail -5 "$WORK/install.log")"
for file in bin/lattigo-batch bin/lattigo-sim share/man/man1/lattigo-batch.1 share/man/man1/lattigo-sim.1 \
  share/bash-completion/completions/lattigo-batch share/bash-completion/completions/lattigo-sim \
  share/zsh/site-functions/_lattigo-batch share/doc/lattigo-batch/README.md share/doc/lattigo-batch/LICENSE; do
  [ -s "$prefix/$file" ] || fail "cmake --install did not install $file"
done
[ -x "$prefix/bin/lattigo-batch" ] && [ -x "$prefix/bin/lattigo-sim" ] || fail "installed programs are not executable"
version=$("$prefix/bin/lattigo-batch" --version) || fail "installed lattigo-batch --version failed"
# The same release as the build under test (the commit part may differ when
# the tree was edited between the two builds).
built=$("$LATTIGO_BATCH" --version)
assert_eq "${built%%+*}" "${version%%+*}" "installed release = built release"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$prefix/share/man/man1/lattigo-batch.1" >"$WORK/man-batch.txt" 2>/dev/null || true
  grep -q "lattigo-batch - push provisioning jobs" "$WORK/man-batch.txt" ||
    fail "man -l does not show lattigo-batch(1)"
  MANWIDTH=80 man -l "$prefix/share/man/man1/lattigo-sim.1" >"$WORK/man-sim.txt" 2>/dev/null || true
  grep -q "lattigo-sim - a local simulator" "$WORK/man-sim.txt" ||
    fail "man -l does not show lattigo-sim(1)"
fi

# cpack -G DEB
(cd "$build" && cpack -G DEB >"$WORK/cpack.log" 2>&1) || fail "cpack: $(tail -5 "$WORK/cpack.log")"
deb=$(ls "$build"/packages/lattigo-batch_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "cpack wrote no .deb: $(tail -5 "$WORK/cpack.log")"
depends=$(dpkg-deb -f "$deb" Depends)
note "Depends: $depends"
for package in libc6 libcsv3 libcurl4 libjansson4 libmicrohttpd12 libssl3 zlib1g; do
  grep -qE "(^|, )$package( |,|$)" <<<"$depends" || fail "Depends lacks $package: $depends"
done
grep -q -- "-dev" <<<"$depends" && fail "Depends names a -dev package: $depends"
dpkg-deb -c "$deb" >"$WORK/contents"
for file in ./usr/bin/lattigo-batch ./usr/bin/lattigo-sim ./usr/share/man/man1/lattigo-batch.1 \
  ./usr/share/man/man1/lattigo-sim.1 ./usr/share/bash-completion/completions/lattigo-batch \
  ./usr/share/zsh/vendor-completions/_lattigo-batch ./usr/share/doc/lattigo-batch/LICENSE; do
  grep -q " $file" "$WORK/contents" || fail "the .deb lacks $file"
done

# Installed into a scratch root: --version, then a job against its own simulator.
root="$WORK/root"
dpkg -x "$deb" "$root" || fail "dpkg -x failed"
packaged=$("$root/usr/bin/lattigo-batch" --version) || fail "the packaged lattigo-batch --version failed"
# cpack rebuilds first: an edit of the tree in between changes only the commit part.
assert_eq "${version%%+*}" "${packaged%%+*}" "the packaged release"
manifest="$WORK/centers.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows 50 --seed 5 \
  --names sim-default --out "$manifest" || fail "gen-manifest.py failed"
status=0
(unset LATTIGO_SIM; cd "$WORK" && PATH=/usr/bin:/bin "$root/usr/bin/lattigo-batch" run --op cost-center \
  --manifest "$manifest" --endpoint sim --quiet --out "$WORK/job") >"$WORK/job.log" 2>&1 || status=$?
assert_eq 0 "$status" "job of the packaged lattigo-batch against the packaged lattigo-sim ($(tail -3 "$WORK/job.log"))"
python3 - "$WORK/job/summary.json" <<'PY' || fail "the packaged job's summary: $(cat "$WORK/job/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["complete"] is True and s["counts"]["ok"] == 50 and s["exit_status"] == 0, s
PY
[ -s "$WORK/job/report.html" ] || fail "the packaged job wrote no report.html"
