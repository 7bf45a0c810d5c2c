#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal and answers its typed confirmation.
Usage: typed_answer.py ANSWER PROGRAM [ARGS...]. Waits for "Type 'yes'" (or
the program's end), writes ANSWER and a newline, prints everything the program
wrote and exits with its status."""
import os
import pty
import sys


def drain(fd, seen, until=None):
    """Reads fd into seen until `until` appears in it or the terminal closes."""
    while until is None or until not in seen:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the program ended (EIO on Linux)
            break
        if not chunk:
            break
        seen += chunk
    return seen


def main():
    answer = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[2], sys.argv[2:])
    seen = drain(fd, b"", b"Type 'yes'")
    os.write(fd, answer.encode() + b"\n")
    seen = drain(fd, seen)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
