#!/usr/bin/env bash
# Speed and memory of the reference server against nghttpd and a minimal
# Kestrel h2c app: the same h2load load against each, on loopback,
# server pinned to CPU 0 and h2load to CPU 1 (taskset), runs interleaved,
# median of RUNS. Prints requests/s, p50/p99 latency (from h2load's
# per-request log), server CPU time per request (utime+stime from
# /proc/PID/stat) and peak RSS (VmHWM), side by side.
#
# Warm-up, the same for all three servers and not counted: per size, two
# rounds of N/5 requests, each followed by 2 s without load. .NET's tiered
# JIT optimizes hot methods only after 1 s without new methods on one CPU
# (100 ms x 10 when the process is pinned), then compiles them in the
# background; without the pauses the first measured run of a .NET server
# still ran partly unoptimized code (run-to-run spread of 2-5x).
#
# usage: tools/bench-server.sh [RUNS]     (default 3; env N13/N64 change the request counts)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${1:-${RUNS:-3}}
N13=${N13:-200000}
N64=${N64:-20000}
LOAD=(-c 16 -m 32)
NGHTTPD=${NGHTTPD:-/usr/sbin/nghttpd}
TICK=$(getconf CLK_TCK)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in h2load taskset "$NGHTTPD"; do
  command -v "$tool" >/dev/null || { echo "bench-server: $tool is missing (apt-get install nghttp2-client nghttp2-server util-linux)"; exit 1; }
done

echo "== building (Release)"
dotnet build tools/h2ref -c Release -o "$work/h2ref" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
dotnet build tools/KestrelBaseline -c Release -o "$work/kestrel" >>"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }

mkdir -p "$work/htdocs/bytes"
head -c 13 /dev/zero | tr '\0' 'a' >"$work/htdocs/bytes/13"
head -c 65536 /dev/zero | tr '\0' 'a' >"$work/htdocs/bytes/65536"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME -> sets PID_<NAME> and PORT_<NAME>
start() {
  local name=$1 port; port=$(free_port)
  case $name in
    h2ref)   taskset -c 0 "$work/h2ref/h2ref" serve --port "$port" -q >"$work/$name.log" 2>&1 & ;;
    nghttpd) taskset -c 0 "$NGHTTPD" --no-tls -a 127.0.0.1 -d "$work/htdocs" "$port" >"$work/$name.log" 2>&1 & ;;
    kestrel) taskset -c 0 "$work/kestrel/KestrelBaseline" "$port" >"$work/$name.log" 2>&1 & ;;
  esac
  local pid=$!
  pids+=("$pid")
  eval "PID_$name=$pid PORT_$name=$port"
  for _ in $(seq 100); do
    if h2load -n 1 -c 1 "http://127.0.0.1:$port/bytes/13" 2>/dev/null | grep -q "1 succeeded"; then return 0; fi
    sleep 0.1
  done
  echo "bench-server: $name did not come up"; cat "$work/$name.log"; exit 1
}

stop() { local pid; pid=$(eval echo "\$PID_$1"); kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# run NAME SIZE N -> appends "rps p50 p99 cpu_us" to $work/NAME.SIZE
run() {
  local name=$1 size=$2 n=$3 pid port before after out log
  pid=$(eval echo "\$PID_$name"); port=$(eval echo "\$PORT_$name")
  log="$work/req.log"; out="$work/h2load.out"
  rm -f "$log" # h2load appends to its log file
  before=$(cpu_ticks "$pid")
  taskset -c 1 h2load -n "$n" "${LOAD[@]}" --log-file="$log" "http://127.0.0.1:$port/bytes/$size" >"$out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  local ok rps
  ok=$(grep -Eo '[0-9]+ succeeded' "$out" | awk '{print $1}')
  rps=$(grep -Eo 'finished in [0-9.]+[a-z]+, [0-9.]+ req/s' "$out" | awk '{print $4}')
  [ "${ok:-0}" = "$n" ] || echo "   warning: $name $size: ${ok:-0}/$n succeeded" >&2
  local lat
  lat=$(awk -F'\t' '{print $3}' "$log" | sort -n | awk '{a[NR]=$1} END {p=int(NR*0.50); q=int(NR*0.99); if (p<1) p=1; if (q<1) q=1; printf "%d %d", a[p], a[q]}')
  local cpu_us
  cpu_us=$(awk -v d=$((after - before)) -v t="$TICK" -v n="$n" 'BEGIN {printf "%.2f", d / t / n * 1e6}')
  echo "$rps $lat $cpu_us" >>"$work/$name.$size"
  echo "   $name $size: $rps req/s, p50/p99 $lat us, $cpu_us us CPU/request" >&2
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

servers=(h2ref nghttpd kestrel)
for size in 13 65536; do
  n=$N13; [ "$size" = 65536 ] && n=$N64
  echo "== ${size}-byte responses: h2load -n $n ${LOAD[*]}, $RUNS interleaved runs"
  for s in "${servers[@]}"; do start "$s"; done
  for round in 1 2; do # warm-up (JIT, pools; see the header); not counted
    for s in "${servers[@]}"; do
      port=$(eval echo "\$PORT_$s")
      taskset -c 1 h2load -n $((n / 5)) "${LOAD[@]}" "http://127.0.0.1:$port/bytes/$size" >/dev/null 2>&1 || true
    done
    sleep 2
  done
  for r in $(seq "$RUNS"); do
    for s in "${servers[@]}"; do run "$s" "$size" "$n"; done
  done
  for s in "${servers[@]}"; do
    pid=$(eval echo "\$PID_$s")
    echo "$(hwm_kib "$pid")" >"$work/$s.$size.hwm"
    stop "$s"
  done
done

printf '\n%-8s %-6s %12s %10s %10s %14s %12s\n' server size "req/s" "p50 us" "p99 us" "cpu us/req" "peak RSS MB"
for size in 13 65536; do
  for s in "${servers[@]}"; do
    f="$work/$s.$size"
    printf '%-8s %-6s %12s %10s %10s %14s %12s\n' "$s" "$size" \
      "$(awk '{print $1}' "$f" | median)" "$(awk '{print $2}' "$f" | median)" "$(awk '{print $3}' "$f" | median)" \
      "$(awk '{print $4}' "$f" | median)" "$(awk '{printf "%.1f", $1/1024}' "$work/$s.$size.hwm")"
  done
done
