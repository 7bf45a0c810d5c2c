#!/usr/bin/env python3
"""Rewrites a kept job directory's OUT/snapshot/verdicts of format version 1
into version 2 (src/live/verdicts_internal.h), so that bench/resume.sh can
resume the same kept state with a build that writes version 2 without
preparing the job again (a 10,000,000-row job takes many minutes of both
cores). The bytes and notes are unchanged; the block index gains each
block's CRC32s and the undo counts are added, as the writer of version 2
computes them. Used for benchmarks only: the C reader and writer are the
format's reference (tests/unit/test_live_verdicts.c checks both versions).
Usage: bench/verdicts_v2.py SNAPSHOT_DIR   (rewrites SNAPSHOT_DIR/verdicts by rename)
"""
import os
import struct
import sys
import zlib

BLOCK_ROWS = 4096
TRAILER = 52
NONE = 0xFF
UNDO_LINE = 0x40
UNDO_MISSING = 0x80


def main():
    directory = sys.argv[1]
    path = os.path.join(directory, "verdicts")
    with open(path, "rb") as f:
        data = f.read()
    trailer = data[-TRAILER:]
    magic, version, block_rows, rows, notes_length, job_tag = struct.unpack("<8sIIQQQ", trailer[:40])
    if magic != b"LTGVRDT\n" or version != 1 or block_rows != BLOCK_ROWS:
        sys.exit("verdicts_v2.py: %s is not a version 1 verdicts file" % path)
    blocks = (rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    body = data[:-TRAILER]
    if zlib.crc32(body) != struct.unpack("<I", trailer[40:44])[0]:
        sys.exit("verdicts_v2.py: %s fails its CRC" % path)
    codes = body[:rows]
    offsets = list(struct.unpack("<%dQ" % blocks, body[rows:rows + 8 * blocks])) + [notes_length]
    with open(os.path.join(directory, "verdict-notes"), "rb") as f:
        notes = f.read()
    if len(notes) != notes_length or zlib.crc32(notes) != struct.unpack("<I", trailer[44:48])[0]:
        sys.exit("verdicts_v2.py: the notes fail their CRC")
    index = bytearray()
    for block in range(blocks):
        start = block * BLOCK_ROWS
        index += struct.pack("<QII", offsets[block], zlib.crc32(codes[start:start + BLOCK_ROWS]),
                             zlib.crc32(notes[offsets[block]:offsets[block + 1]]))
    lines = sum(1 for code in codes if code != NONE and code & UNDO_LINE)
    missing = sum(1 for code in codes if code != NONE and code & UNDO_MISSING)
    index += struct.pack("<QQ", lines, missing)
    head = struct.pack("<8sIIQQQII", magic, 2, BLOCK_ROWS, rows, notes_length, job_tag,
                       zlib.crc32(bytes(index)), 0)
    temporary = path + ".v2"
    with open(temporary, "wb") as f:
        f.write(codes + bytes(index) + head + struct.pack("<I", zlib.crc32(head)))
        f.flush()
        os.fsync(f.fileno())
    os.rename(temporary, path)


if __name__ == "__main__":
    main()
