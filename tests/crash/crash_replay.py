#!/usr/bin/env python3
"""Rebuilds what a power cut could have left of a job directory, from the log
written by record_io.so (tests/crash/power_loss.sh drives it).

  crash_replay.py cuts LOG COUNT SEED            cut points to try (event indices)
  crash_replay.py build LOG CUT MODE SEED FROM TO
        the job directory FROM as a power cut before event CUT could leave it,
        written to TO. What was made durable stays: for each file, every change
        up to its last completed fsync before CUT. Its later changes may or may
        not have reached the disk:
          prefix  a random prefix of them, the last one maybe torn (a disk that
                  writes a file's appends in order, like ext4 data=ordered)
          subset  an arbitrary subset of them, each maybe torn (any order)
          kill    all of them (kill -9: the page cache survives the process)
        Creations, renames, links and unlinks before CUT are kept (metadata
        journaled in order); a rename or a link publishes the content the file
        had (fsynced first).
  crash_replay.py requests LOG CUT               the HTTP requests completely sent
        before CUT, one JSON object a line (method, target, headers, body):
        what the server received, hence applied, in the world of that cut.
  crash_replay.py replay URL FILE                sends those requests to URL
"""
import base64
import json
import os
import random
import struct
import sys
import urllib.request


def events(log):
    data = open(log, 'rb').read()
    index, found = 0, []
    while index < len(data):
        kind = chr(data[index])
        (path_length,) = struct.unpack_from('<I', data, index + 1)
        path = data[index + 5:index + 5 + path_length].decode()
        offset, length = struct.unpack_from('<QQ', data, index + 5 + path_length)
        start = index + 21 + path_length
        found.append((kind, path, offset, data[start:start + length]))
        index = start + length
    return found


def cuts(log, count, seed):
    all_events = events(log)
    total = len(all_events)
    chosen = {total}  # after everything: a clean end
    # right after every sync and right before it: the edges that matter most
    syncs = [i for i, e in enumerate(all_events) if e[0] == 'S']
    rng = random.Random(seed)
    edges = [i + 1 for i in syncs] + [i for i in syncs]
    rng.shuffle(edges)
    chosen.update(edges[:count // 2])
    # every step of a checkpoint compaction (link, rename, unlink of its
    # segments; the sync of the keys file its snapshot vouches for), before
    # and after: where a half-done compaction could lose or repeat a row, or
    # leave keys no snapshot vouches for; and the sync and rename that
    # publish the duplicate rows
    steps = [i + shift for i, e in enumerate(all_events)
             if (e[0] in 'RLU' and ('/checkpoint' in e[1] or '/duplicate-rows' in e[1]))
             or (e[0] == 'S' and ('/duplicate-keys' in e[1] or '/duplicate-rows' in e[1]))
             for shift in (0, 1)]
    rng.shuffle(steps)
    chosen.update(steps[:count])
    while len(chosen) < min(count, total + 1):
        chosen.add(rng.randint(0, total))
    return sorted(chosen)


def apply(files, event, torn_rng=None):
    kind, path, offset, data = event
    if kind == 'W':
        if torn_rng is not None and len(data) > 1:
            data = data[:torn_rng.randint(1, len(data))]
        content = files.setdefault(path, bytearray())
        if len(content) < offset:
            content.extend(b'\0' * (offset - len(content)))
        content[offset:offset + len(data)] = data
    elif kind == 'T':
        content = files.setdefault(path, bytearray())
        del content[offset:]
        if len(content) < offset:
            content.extend(b'\0' * (offset - len(content)))


def build(log, cut, mode, seed, source, target):
    all_events = events(log)[:cut]
    rng = random.Random(seed * 1000003 + cut)
    files = {}          # path -> bytearray, durable content
    pending = {}        # path -> changes since its last sync
    for event in all_events:
        kind, path, offset, data = event
        if kind == 'N':
            continue
        if kind == 'C':
            files.setdefault(path, bytearray())
        elif kind == 'U':
            files.pop(path, None)
            pending.pop(path, None)
        elif kind in 'RL':
            files[path] = bytearray(data)
            pending.pop(path, None)
        elif kind == 'S':
            for change in pending.pop(path, []):
                apply(files, change)
        else:
            files.setdefault(path, bytearray())
            pending.setdefault(path, []).append(event)
    for path, changes in pending.items():
        if mode == 'kill':
            for change in changes:
                apply(files, change)
        elif mode == 'prefix':
            keep = rng.randint(0, len(changes))
            for number, change in enumerate(changes[:keep]):
                apply(files, change, rng if number == keep - 1 and rng.random() < 0.5 else None)
        else:
            for change in changes:
                if rng.random() < 0.5:
                    apply(files, change, rng if rng.random() < 0.3 else None)
    os.makedirs(target, exist_ok=True)
    prefix = source.rstrip('/') + '/'
    past = 1e9  # long ago: a resume need not wait for in-doubt calls to land
    for path, content in files.items():
        if not path.startswith(prefix) or '/' in path[len(prefix):]:
            continue
        name = path[len(prefix):]
        if '.tmp.' in name or name == 'lock':
            continue  # an unpublished temporary file, a lock: no one reads them
        with open(os.path.join(target, name), 'wb') as out:
            out.write(content)
        os.utime(os.path.join(target, name), (past, past))


def requests(log, cut):
    streams = {}
    for kind, _path, descriptor, data in events(log)[:cut]:
        if kind == 'N':
            streams.setdefault(descriptor, bytearray()).extend(data)
    found = []
    for stream in streams.values():
        position = 0
        while True:
            end = stream.find(b'\r\n\r\n', position)
            if end < 0:
                break
            head = stream[position:end].decode('latin-1').split('\r\n')
            method, request_target, _ = head[0].split(' ', 2)
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(':')
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get('content-length', '0'))
            body_start = end + 4
            if body_start + length > len(stream):
                break  # cut while the body was being sent: never a request
            body = bytes(stream[body_start:body_start + length])
            found.append({'method': method, 'target': request_target, 'headers': headers,
                          'body': base64.b64encode(body).decode()})
            position = body_start + length
    for request in found:
        print(json.dumps(request))


def replay(url, path):
    for line in open(path):
        request = json.loads(line)
        headers = {k: v for k, v in request['headers'].items()
                   if k in ('authorization', 'content-type', 'accept')}
        call = urllib.request.Request(url.rstrip('/') + request['target'],
                                      data=base64.b64decode(request['body']) or None,
                                      headers=headers, method=request['method'])
        try:
            urllib.request.urlopen(call, timeout=30).read()
        except urllib.error.HTTPError as error:
            error.read()


def main(argv):
    command = argv[1]
    if command == 'cuts':
        print(' '.join(map(str, cuts(argv[2], int(argv[3]), int(argv[4])))))
    elif command == 'build':
        build(argv[2], int(argv[3]), argv[4], int(argv[5]), argv[6], argv[7])
    elif command == 'requests':
        requests(argv[2], int(argv[3]))
    elif command == 'replay':
        replay(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
