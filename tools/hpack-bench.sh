#!/usr/bin/env bash
# HPACK speed beside libnghttp2 on the same hpack-test-case stories, same session.
#
# usage: tools/hpack-bench.sh [time [RUNS]] [paired [TURNS]] [callgrind]   (default: time 5)
#   time RUNS   interleaves RUNS runs of the libnghttp2 anchor and of ours (each round
#               decodes the corpus DECODE_REPEAT=4 times, encodes raw-data ENCODE_REPEAT=27 times)
#               (tools/Benchmarks --hpack), decode and encode; each run reports
#               several rounds of process CPU time; prints the median headers/s
#               of each and our ratio, then the ratio of ours to libnghttp2 within each
#               run (median and range over the runs). Figures on a shared machine
#               drift: compare within one invocation only.
#   paired TURNS  libnghttp2 and ours in ONE process, taking turns round by round (A B, then
#               B A), each round timed by its thread's CPU clock (tools/Benchmarks --hpack-paired,
#               the anchor built as a shared library): both see the same load, so the ratio
#               within a turn holds on a busy machine where separate processes drift by 30%.
#               Prints medians and the median ratio to libnghttp2 per turn (and its middle
#               half); BASELINE=DIR joins the turns (default 60 turns, the first quarter warm-up).
#   callgrind   instructions per header, which do not depend on the machine's
#               load: each program runs 3 rounds under valgrind --tool=callgrind,
#               cut at a marker system call between rounds (--dump-before=getppid),
#               and the cheapest of rounds 2-3 is divided by its headers. Ours
#               runs with DOTNET_TieredCompilation=0 (code jitted fully optimised
#               at first call; no tiering or PGO in the counted rounds).
#
# Needs: HPACK_TEST_CASE_DIR (a clone of https://github.com/http2jp/hpack-test-case),
# gcc and libnghttp2-dev (apt-get install libnghttp2-dev), python3, valgrind for
# callgrind. The anchor is built into $HPACK_BENCH_OUT (default artifacts/hpack-bench),
# never committed. NO_BUILD=1 skips building tools/Benchmarks. BASELINE=DIR adds a third
# program to the interleaved time runs: another build of tools/Benchmarks (the folder holding
# its Benchmarks.dll, e.g. main's, copied aside), so before and after come from one run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${HPACK_TEST_CASE_DIR:-}"
out="${HPACK_BENCH_OUT:-$root/artifacts/hpack-bench}"
if [ -z "$corpus" ] || [ ! -d "$corpus/raw-data" ]; then
  echo "hpack-bench: set HPACK_TEST_CASE_DIR to a clone of https://github.com/http2jp/hpack-test-case" >&2; exit 2
fi
if [ ! -f /usr/include/nghttp2/nghttp2.h ]; then
  echo "hpack-bench: libnghttp2's headers are missing (apt-get install libnghttp2-dev)" >&2; exit 2
fi
mkdir -p "$out"
gcc -O2 -Wall -o "$out/anchor" "$root/tools/hpack-anchor/anchor.c" -lnghttp2
gcc -O2 -Wall -shared -fPIC -DANCHOR_LIBRARY -o "$out/libanchor.so" "$root/tools/hpack-anchor/anchor.c" -lnghttp2
python3 "$root/tools/hpack-anchor/export.py" "$corpus" "$out" >/dev/null
if [ "${NO_BUILD:-}" != 1 ]; then
  dotnet build "$root/tools/Benchmarks" -c Release -v q -nologo >/dev/null
fi
ours=(dotnet "$root/tools/Benchmarks/bin/Release/net10.0/Benchmarks.dll" --hpack --from "$out")
base=()
if [ -n "${BASELINE:-}" ]; then base=(dotnet "$BASELINE/Benchmarks.dll" --hpack --from "$out"); fi
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$out/anchor" decode "$out/decode.bin" 0 | head -1); $("${ours[@]}" decode 0 | head -1)"

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
rate() { sed -n 's/.*CPU: \([0-9.]*\) M headers\/s.*/\1/p'; }

run_time() {
  local runs="$1" log="$out/time.log"
  : > "$log"
  for run in $(seq 1 "$runs"); do
    for what in decode encode; do
      # rounds of ~0.2 s of CPU each: shorter ones are dominated by the noise of a shared machine
      local repeat=${DECODE_REPEAT:-4}; [ "$what" = encode ] && repeat=${ENCODE_REPEAT:-27}
      "$out/anchor" "$what" "$out/$what.bin" 5 "$repeat" | rate | sed "s/^/c $what $run /" >> "$log"
      # ours: 5 rounds of warm-up (tiered compilation), then 5 measured
      "${ours[@]}" "$what" 10 "$repeat" | rate | tail -5 | sed "s/^/net $what $run /" >> "$log"
      if [ ${#base[@]} -gt 0 ]; then "${base[@]}" "$what" 10 "$repeat" | rate | tail -5 | sed "s/^/base $what $run /" >> "$log"; fi
    done
  done
  if [ ${#base[@]} -gt 0 ]; then
    printf '%-8s %16s %16s %16s %8s %8s\n' what "libnghttp2 M/s" "baseline M/s" "ours M/s" "base/C" "ours/C"
  else
    printf '%-8s %16s %16s %8s\n' what "libnghttp2 M/s" "ours M/s" "ours/C"
  fi
  for what in decode encode; do
    local c n b
    c=$(awk -v w="$what" '$1 == "c" && $2 == w { print $4 }' "$log" | median)
    n=$(awk -v w="$what" '$1 == "net" && $2 == w { print $4 }' "$log" | median)
    if [ ${#base[@]} -gt 0 ]; then
      b=$(awk -v w="$what" '$1 == "base" && $2 == w { print $4 }' "$log" | median)
      printf '%-8s %16.2f %16.2f %16.2f %8.2f %8.2f\n' "$what" "$c" "$b" "$n" "$(echo "$b / $c" | bc -l)" "$(echo "$n / $c" | bc -l)"
    else
      printf '%-8s %16.2f %16.2f %8.2f\n' "$what" "$c" "$n" "$(echo "$n / $c" | bc -l)"
    fi
  done
  # Paired: within each run ours and libnghttp2 ran back to back, so the ratio of their
  # medians in one run drifts less with the machine's load than the ratio of overall medians.
  for what in decode encode; do
    local ratios=""
    for run in $(seq 1 "$runs"); do
      local c n
      c=$(awk -v w="$what" -v r="$run" '$1 == "c" && $2 == w && $3 == r { print $4 }' "$log" | median)
      n=$(awk -v w="$what" -v r="$run" '$1 == "net" && $2 == w && $3 == r { print $4 }' "$log" | median)
      ratios="$ratios $(echo "$n / $c" | bc -l)"
    done
    printf '%-8s ours/C per run: median %.2f, range %.2f-%.2f (%s)\n' "$what" \
      "$(echo $ratios | tr ' ' '\n' | median)" "$(echo $ratios | tr ' ' '\n' | sort -g | head -1)" "$(echo $ratios | tr ' ' '\n' | sort -g | tail -1)" \
      "$(for r in $ratios; do printf '%.2f ' "$r"; done | sed 's/ $//')"
  done
  echo "(medians of $runs interleaved runs x 5 rounds of process CPU time; encode ratio: $("$out/anchor" encode "$out/encode.bin" 1 | sed -n 's/.*ratio \([0-9.]*\).*/libnghttp2 \1/p'), $("${ours[@]}" encode 1 | sed -n 's/.*ratio \([0-9.]*\).*/ours \1/p'))"
}

# Instructions per header of the cheapest counted round (dumps .3 and .4 are rounds 2 and 3).
per_header() {
  local prefix="$1" headers="$2" best=""
  for n in 3 4; do
    local ir; ir=$(sed -n 's/^totals: *//p' "$prefix.$n")
    if [ -z "$best" ] || [ "$ir" -lt "$best" ]; then best=$ir; fi
  done
  echo $(( best / headers ))
}

run_callgrind() {
  local dh eh
  dh=$("$out/anchor" decode "$out/decode.bin" 1 | sed -n 's/.*decode \([0-9]*\) headers.*/\1/p')
  eh=$("$out/anchor" encode "$out/encode.bin" 1 | sed -n 's/.*encode \([0-9]*\) headers.*/\1/p')
  printf '%-8s %18s %18s %8s\n' what "libnghttp2 Ir/hdr" "ours Ir/hdr" "C/ours"
  for what in decode encode; do
    local headers=$dh; [ "$what" = encode ] && headers=$eh
    rm -f "$out/cg.c.$what"* "$out/cg.net.$what"*
    valgrind --tool=callgrind --dump-before=getppid --callgrind-out-file="$out/cg.c.$what" "$out/anchor" "$what" "$out/$what.bin" 3 >/dev/null 2>&1
    local c n
    c=$(per_header "$out/cg.c.$what" "$headers")
    # The .NET runtime under valgrind can compute wrong results (seen with .NET 10 and
    # valgrind 3.19: corpus blocks that decode natively fail); a failed run counts nothing.
    if DOTNET_TieredCompilation=0 valgrind --tool=callgrind --dump-before=getppid --callgrind-out-file="$out/cg.net.$what" \
         "${ours[@]}" "$what" 3 > "$out/cg.net.$what.log" 2>&1; then
      n=$(per_header "$out/cg.net.$what" "$headers")
      printf '%-8s %18d %18d %8.2f\n' "$what" "$c" "$n" "$(echo "$c / $n" | bc -l)"
    else
      printf '%-8s %18d %18s %8s\n' "$what" "$c" "failed" "-"
      echo "  ours failed under valgrind: $(grep -m1 -i 'exception' "$out/cg.net.$what.log" || echo "exit status $?")" >&2
    fi
  done
  echo "(instructions per header of one round, callgrind; C/ours > 1 means ours executes fewer)"
}

run_paired() {
  local turns="$1" dll="$root/tools/Benchmarks/bin/Release/net10.0/Benchmarks.dll" what
  for what in decode encode; do
    dotnet "$dll" --hpack-paired --from "$out" --anchor-lib "$out/libanchor.so" "$what" "$turns" ${BASELINE:+"$BASELINE"}
  done
}

[ $# -gt 0 ] || set -- time 5
while [ $# -gt 0 ]; do
  case "$1" in
    time) runs=5; if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then runs="$2"; shift; fi; run_time "$runs" ;;
    paired) turns=60; if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then turns="$2"; shift; fi; run_paired "$turns" ;;
    callgrind) run_callgrind ;;
    *) echo "usage: tools/hpack-bench.sh [time [RUNS]] [paired [TURNS]] [callgrind]" >&2; exit 2 ;;
  esac
  shift
done
