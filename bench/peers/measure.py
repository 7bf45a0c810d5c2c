#!/usr/bin/env python3
"""Runs one command and prints "WALL_SECONDS MAX_RSS_KB EXIT_STATUS CPU_SECONDS"
for it (CPU = user + system time of the command and its children: on a loaded
shared machine it varies far less than wall time).

Wall time is taken around the child only (not Python's start-up). Peak RSS is
what /usr/bin/time reports as "Maximum resident set size" when that program
exists; without it, getrusage(RUSAGE_CHILDREN) is used, which also counts the
image of this Python process the child had before exec (about 10 MB), so the
figure is then an upper bound and a warning says so.

  measure.py [--stdout FILE] [--stderr FILE] -- COMMAND [ARGS...]
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

TIME_PROGRAM = "/usr/bin/time"


def main():
    args = sys.argv[1:]
    stdout = stderr = subprocess.DEVNULL
    while args and args[0] != "--" and len(args) >= 2:
        option, value, args = args[0], args[1], args[2:]
        if option == "--stdout":
            stdout = open(value, "wb")
        elif option == "--stderr":
            stderr = open(value, "wb")
        else:
            print("measure.py: unknown option '%s'" % option, file=sys.stderr)
            return 2
    if len(args) < 2 or args[0] != "--":
        print("usage: measure.py [--stdout FILE] [--stderr FILE] -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = args[1:]
    report = None
    if os.access(TIME_PROGRAM, os.X_OK):
        handle, report = tempfile.mkstemp(prefix="measure.")
        os.close(handle)
        command = [TIME_PROGRAM, "-f", "%M %x %U %S", "-o", report] + command
    started = time.perf_counter()
    status = subprocess.run(command, stdout=stdout, stderr=stderr).returncode
    wall = time.perf_counter() - started
    if report:
        with open(report) as handle:
            # the last line; earlier ones say "Command exited with non-zero status"
            words = handle.read().split("\n")[-2].split()
        peak_kb, status, cpu = int(words[0]), int(words[1]), float(words[2]) + float(words[3])
        os.unlink(report)
    else:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        print("measure.py: no %s; peak RSS includes this script's own image" % TIME_PROGRAM,
              file=sys.stderr)
    print("%.4f %d %d %.3f" % (wall, peak_kb, status, cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
