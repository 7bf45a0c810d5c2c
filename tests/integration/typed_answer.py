"""Runs a command on a pseudo-terminal, types ANSWER once it asks "Type 'yes'",
prints everything it wrote and exits with its exit status.

usage: typed_answer.py ANSWER PROGRAM [ARGS...]
"""
import os
import pty
import sys


def read_all(fd, seen, until=None):
    while until is None or until not in seen:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def main():
    answer, program = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(program[0], program)
    seen = read_all(fd, b"", b"Type 'yes'")
    os.write(fd, answer.encode() + b"\n")
    seen = read_all(fd, seen)
    _, code = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(code))


if __name__ == "__main__":
    main()
