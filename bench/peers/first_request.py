#!/usr/bin/env python3
"""Runs a command and measures how long it takes until a log file grows (the
simulator's --verbose log gets one line per request), i.e. until the command
made its first API call, and how long it runs in all.

  first_request.py --watch SIM_LOG [--timeout S] [--last] -- COMMAND [ARGS...]
Prints: first_request_seconds F total_seconds T exit S
(F is "none" when the log never grew.) With --last, also
last_request_seconds L: when the log last grew (T - L is the time the
command took after its last call, e.g. to write its outputs).
"""
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    watch, timeout, want_last = None, 600.0, False
    while args and args[0] != "--" and len(args) >= 2:
        if args[0] == "--last":
            want_last, args = True, args[1:]
            continue
        if args[0] == "--watch":
            watch = args[1]
        elif args[0] == "--timeout":
            timeout = float(args[1])
        else:
            print("first_request.py: unknown option '%s'" % args[0], file=sys.stderr)
            return 2
        args = args[2:]
    if watch is None or len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    size = os.path.getsize(watch)
    started = time.perf_counter()
    child = subprocess.Popen(args[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = last = None
    while child.poll() is None:
        now = time.perf_counter()
        grown = os.path.getsize(watch)
        if grown > size:
            if first is None:
                first = now - started
            last, size = now - started, grown
        if now - started > timeout:
            child.kill()
            break
        time.sleep(0.002 if first is None else 0.05)
    status = child.wait()
    total = time.perf_counter() - started
    if os.path.getsize(watch) > size:
        last = total
        if first is None:
            first = total
    line = "first_request_seconds %s total_seconds %.3f exit %d" % (
        "none" if first is None else "%.3f" % first, total, status)
    if want_last:
        line += " last_request_seconds %s" % ("none" if last is None else "%.3f" % last)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
