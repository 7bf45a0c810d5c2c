#!/usr/bin/env python3
"""Checks a PNG screenshot: usage: png_check.py FILE WIDTH HEIGHT

Exits 0 when the image is WIDTH x HEIGHT and not blank: at least 2 % of its
pixels differ from the most common colour (the page background). Reads the
PNG with zlib only (8-bit RGB or RGBA, non-interlaced, as Chromium writes)."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise SystemExit("%s: unsupported PNG (depth %d colour %d)" % (path, depth, colour))
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def main():
    path, want_width, want_height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    width, height, channels, rows = pixels(path)
    if (width, height) != (want_width, want_height):
        print("%s is %dx%d, expected %dx%d" % (path, width, height, want_width, want_height))
        return 1
    counts = {}
    for line in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            colour = line[x:x + 3]
            counts[colour] = counts.get(colour, 0) + 1
    total = sum(counts.values())
    background = max(counts.values())
    share = 1.0 - background / total
    if share < 0.02:
        print("%s looks blank: %.2f %% of the sampled pixels differ from the background" % (path, 100 * share))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
