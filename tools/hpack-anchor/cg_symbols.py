#!/usr/bin/env python3
"""Instructions per header by method, from a callgrind profile of a .NET program.

callgrind cannot name jitted code; the runtime's perf map (DOTNET_PerfMapEnabled=1
writes /tmp/perf-PID.map: start, size, name per method) can. This reads a profile
recorded with --dump-instr=yes (each cost line carries its instruction address),
gives each instruction's cost to the method whose code holds it, and prints the
self cost per method divided by HEADERS.

usage: cg_symbols.py CALLGRIND_OUT PERF_MAP HEADERS [TOP]

    DOTNET_PerfMapEnabled=1 DOTNET_TieredCompilation=0 valgrind --tool=callgrind \\
      --dump-instr=yes --dump-before=getppid --callgrind-out-file=cg \\
      dotnet tools/Benchmarks/bin/Release/net10.0/Benchmarks.dll --hpack --from artifacts/hpack-bench decode 3
    tools/hpack-anchor/cg_symbols.py cg.3 /tmp/perf-PID.map 352909

Code outside the map (precompiled CoreLib methods, the runtime's helpers) is
listed by callgrind's own name and object, or as "?".
"""
import bisect
import collections
import re
import sys


def read_map(path):
    entries = []
    for line in open(path):
        start, size, name = line.rstrip("\n").split(" ", 2)
        entries.append((int(start, 16), int(start, 16) + int(size, 16), name))
    entries.sort()
    return [e[0] for e in entries], entries


def position(text, last):
    if text == "*":
        return last
    sign = 1
    if text[0] in "+-":
        sign = 1 if text[0] == "+" else -1
        text = text[1:]
        value = int(text, 16) if text.startswith("0x") else int(text)
        return last + sign * value
    return int(text, 16) if text.startswith("0x") else int(text)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    profile, perf_map, headers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    starts, entries = read_map(perf_map)
    names, objects = {}, {}
    function = obj = None
    cost = collections.Counter()
    total = 0
    last = 0
    call_cost_follows = False
    for line in open(profile):
        if line.startswith(("fn=", "ob=")):
            m = re.match(r"(fn|ob)=\((\d+)\)(?: (.*))?", line.strip())
            table = names if m.group(1) == "fn" else objects
            if m.group(3):
                table[m.group(2)] = m.group(3)
            if m.group(1) == "fn":
                function = names.get(m.group(2))
            else:
                obj = objects.get(m.group(2))
            continue
        if line.startswith("calls="):
            call_cost_follows = True  # the next cost line is the call's inclusive cost
            continue
        if not line or line[0] not in "0123456789+-*":
            continue
        parts = line.split()
        last = position(parts[0], last)
        if call_cost_follows:
            call_cost_follows = False
            continue
        if len(parts) < 3:
            continue
        ir = int(parts[2])
        total += ir
        i = bisect.bisect_right(starts, last) - 1
        if i >= 0 and last < entries[i][1]:
            key = re.sub(r"\(.*\)", "()", entries[i][2])
        else:
            key = f"{function or '?'} [{(obj or '?').split('/')[-1]}]"
        cost[key] += ir
    for name, ir in cost.most_common(top):
        print(f"{ir / headers:9.1f} {100 * ir / total:5.1f}%  {name[:150]}")
    print(f"{total / headers:9.1f}        total per header")


if __name__ == "__main__":
    main()
