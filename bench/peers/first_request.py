#!/usr/bin/env python3
"""Runs a command and measures how long it takes until a log file grows (the
simulator's --verbose log gets one line per request), i.e. until the command
made its first API call, and how long it runs in all.

  first_request.py --watch SIM_LOG [--timeout S] [--last] -- COMMAND [ARGS...]
Prints: first_request_seconds F total_seconds T exit S
(F is "none" when the log never grew.) With --last, also
last_request_seconds L: when the log last grew (T - L is the time the
command took after its last call, e.g. to write its outputs). With --cpu,
also first_request_cpu_seconds C: the CPU time (user + system) the command
and its descendants had used when the log first grew — on a shared machine
a steadier figure than the wall time F.
"""
import os
import subprocess
import sys
import time


def cpu_seconds(pid):
    """User + system CPU seconds of pid and its live descendants (Linux /proc)."""
    total, pending, ticks = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            with open("/proc/%d/stat" % current) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in os.listdir("/proc/%d/task" % current):
                with open("/proc/%d/task/%s/children" % (current, task)) as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def main():
    args = sys.argv[1:]
    watch, timeout, want_last, want_cpu = None, 600.0, False, False
    while args and args[0] != "--" and len(args) >= 2:
        if args[0] == "--last":
            want_last, args = True, args[1:]
            continue
        if args[0] == "--cpu":
            want_cpu, args = True, args[1:]
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
    first = last = first_cpu = None
    while child.poll() is None:
        now = time.perf_counter()
        grown = os.path.getsize(watch)
        if grown > size:
            if first is None:
                first = now - started
                if want_cpu:
                    first_cpu = cpu_seconds(child.pid)
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
    if want_cpu:
        line += " first_request_cpu_seconds %s" % (
            "none" if first_cpu is None else "%.2f" % first_cpu)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
