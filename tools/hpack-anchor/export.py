#!/usr/bin/env python3
"""Flattens the hpack-test-case corpus for the libnghttp2 anchor (anchor.c).

usage: export.py CORPUS_DIR OUT_DIR

Writes OUT_DIR/decode.bin (every story of every folder holding wires, in
folder then file order, as run-vectors.sh and the .NET benchmark read them)
and OUT_DIR/encode.bin (raw-data). All integers are little-endian u32;
a table size of 0xffffffff means "none given" (absent or null).

decode.bin: nstories, then per story: ncases, then per case:
            table_size, nheaders, wire_len, wire
encode.bin: nstories, then per story: ncases, then per case:
            table_size, nheaders, then per header: name_len, name, value_len, value
"""
import json, os, struct, sys

NONE = 0xffffffff

def u32(n):
    return struct.pack('<I', n)

def stories(folder):
    for name in sorted(f for f in os.listdir(folder) if f.endswith('.json')):
        with open(os.path.join(folder, name), encoding='utf-8') as f:
            yield json.load(f)

def size(case):
    s = case.get('header_table_size')
    return NONE if s is None else s

def main(corpus, out):
    folders = sorted(d for d in os.listdir(corpus)
                     if os.path.isdir(os.path.join(corpus, d))
                     and any(f.endswith('.json') for f in os.listdir(os.path.join(corpus, d))))
    dec, enc = [], []
    for d in folders:
        for story in stories(os.path.join(corpus, d)):
            cases = story['cases']
            if all(c.get('wire') is None for c in cases):
                enc.append(cases)
            else:
                dec.append(cases)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'decode.bin'), 'wb') as f:
        f.write(u32(len(dec)))
        for cases in dec:
            f.write(u32(len(cases)))
            for c in cases:
                wire = bytes.fromhex(c['wire'])
                f.write(u32(size(c)) + u32(len(c['headers'])) + u32(len(wire)) + wire)
    with open(os.path.join(out, 'encode.bin'), 'wb') as f:
        f.write(u32(len(enc)))
        for cases in enc:
            f.write(u32(len(cases)))
            for c in cases:
                f.write(u32(size(c)) + u32(len(c['headers'])))
                for h in c['headers']:
                    (name, value), = h.items()
                    n, v = name.encode('utf-8'), value.encode('utf-8')
                    f.write(u32(len(n)) + n + u32(len(v)) + v)
    print(f"{len(dec)} stories to decode, {len(enc)} to encode")

if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
