#!/usr/bin/env bash
# Speed and memory of the reference server against nghttpd and a minimal
# Kestrel h2c app: the same h2load load against each, on loopback,
# server pinned to CPU 0 and h2load to CPU 1 (taskset), runs interleaved,
# median of RUNS. Prints requests/s, p50/p99 latency (from h2load's
# per-request log), server CPU time per request (utime+stime from
# /proc/PID/stat), idle RSS (VmRSS after start, before any request), peak
# RSS (VmHWM), the user part of the CPU time (utime alone: the kernel's
# share of a loopback run moves with its timing) and h2load's own CPU per
# request (on loopback the kernel's work for a segment is charged to whichever
# side runs it, so a server cost that only moved to the client shows there),
# side by side.
#
# The servers (SERVERS, default "h2ref h2ref-d nghttpd kestrel"):
#   h2ref      h2ref serve (JIT): /bytes/N generated in memory by the demo routes
#   h2ref-d    h2ref serve -d DIR (JIT): the same octets as files (the static file cache)
#   h2ref-aot  h2ref-server -d DIR, the NativeAOT build (tools/h2ref-server); added when
#              AOT=1 (published here, ~3-8 min) or H2REF_AOT=path/to/h2ref-server
#   h2ref-aot-mem  h2ref-server without -d: /bytes/N in memory (ask for it in SERVERS, with H2REF_AOT or AOT=1)
#   h2ref-d-base  h2ref serve -d DIR of another build (H2REF_BASE=dir/with/h2ref, e.g. main's
#              built aside), added when H2REF_BASE is set: an A/B comparison within one run
#   h2ref-base h2ref serve (in memory) of the H2REF_BASE build: ask for it in SERVERS (then
#              h2ref-d-base is not added)
#   nghttpd    nghttpd -d DIR, the same files
#   kestrel    tools/KestrelBaseline, /bytes/N in memory
#
# SCALE=1 adds, for the same servers: the RSS per idle connection (1,000 h2c
# connections held by tools/idle-connections.py on the fresh server), 1,000
# connections of one stream each (h2load -n 20000 -c 1000 -m 1, 13 B), 100
# connections of 10 streams (-n 100000 -c 100 -m 10) and 10,000 uploads of 13 octets
# (h2load -n 10000 -c 10 -m 100 -d FILE; h2ref answers on /echo, nghttpd
# sends its file for the POST).
#
# Warm-up, the same for all three servers and not counted: per size, two
# rounds of N/5 requests, each followed by 2 s without load. .NET's tiered
# JIT optimizes hot methods only after 1 s without new methods on one CPU
# (100 ms x 10 when the process is pinned), then compiles them in the
# background; without the pauses the first measured run of a .NET server
# still ran partly unoptimized code (run-to-run spread of 2-5x).
#
# usage: tools/bench-server.sh [RUNS]     (default 3; env N13/N64 change the request counts,
#        SIZES the response sizes (default "13 65536"; larger ones get N64 x 64 KiB octets, at least 500 requests), SERVERS the servers, AOT=1 or H2REF_AOT=FILE the NativeAOT server, H2REF_BASE=DIR another
#        build's h2ref -d, SCALE=1 the scale runs)
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

for tool in h2load taskset /usr/bin/time "$NGHTTPD"; do
  command -v "$tool" >/dev/null || { echo "bench-server: $tool is missing (apt-get install nghttp2-client nghttp2-server util-linux time)"; exit 1; }
done

echo "== building (Release)"
dotnet build tools/h2ref -c Release -o "$work/h2ref" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
dotnet build tools/KestrelBaseline -c Release -o "$work/kestrel" >>"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
SERVERS=${SERVERS:-h2ref h2ref-d nghttpd kestrel}
if [ "${AOT:-0}" = 1 ] && [ -z "${H2REF_AOT:-}" ]; then
  echo "== publishing tools/h2ref-server (NativeAOT)"
  dotnet publish tools/h2ref-server -c Release -o "$work/aot" >>"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
  H2REF_AOT="$work/aot/h2ref-server"
fi
if [ -n "${H2REF_BASE:-}" ]; then
  case " $SERVERS " in *" h2ref-d-base "*|*" h2ref-base "*) ;; *) SERVERS="$SERVERS h2ref-d-base" ;; esac
fi
if [ -n "${H2REF_AOT:-}" ]; then
  case " $SERVERS " in *" h2ref-aot "*) ;; *) SERVERS="$SERVERS h2ref-aot" ;; esac
fi

mkdir -p "$work/htdocs/bytes"
for size in 13 65536 ${SIZES:-}; do head -c "$size" /dev/zero | tr '\0' 'a' >"$work/htdocs/bytes/$size"; done

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME -> sets PID_<NAME> and PORT_<NAME> (- as _), read by pid_of and port_of
start() {
  local name=$1 port; port=$(free_port)
  case $name in
    h2ref)   taskset -c 0 "$work/h2ref/h2ref" serve --port "$port" -q >"$work/$name.log" 2>&1 & ;;
    h2ref-d) taskset -c 0 "$work/h2ref/h2ref" serve --port "$port" -q -d "$work/htdocs" >"$work/$name.log" 2>&1 & ;;
    h2ref-base) taskset -c 0 "$H2REF_BASE/h2ref" serve --port "$port" -q >"$work/$name.log" 2>&1 & ;;
    h2ref-d-base) taskset -c 0 "$H2REF_BASE/h2ref" serve --port "$port" -q -d "$work/htdocs" >"$work/$name.log" 2>&1 & ;;
    h2ref-aot) taskset -c 0 "$H2REF_AOT" --port "$port" -q -d "$work/htdocs" >"$work/$name.log" 2>&1 & ;;
    h2ref-aot-mem) taskset -c 0 "$H2REF_AOT" --port "$port" -q >"$work/$name.log" 2>&1 & ;;
    nghttpd) taskset -c 0 "$NGHTTPD" --no-tls -a 127.0.0.1 -d "$work/htdocs" "$port" >"$work/$name.log" 2>&1 & ;;
    kestrel) taskset -c 0 "$work/kestrel/KestrelBaseline" "$port" >"$work/$name.log" 2>&1 & ;;
  esac
  local pid=$!
  pids+=("$pid")
  eval "PID_${name//-/_}=$pid PORT_${name//-/_}=$port"
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      sleep 0.5 # settled; no request yet: the RSS of an idle server
      awk '/VmRSS/ {print $2}' "/proc/$pid/status" >"$work/$name.idle"
      return 0
    fi
    sleep 0.1
  done
  echo "bench-server: $name did not come up"; cat "$work/$name.log"; exit 1
}

pid_of() { eval echo "\$PID_${1//-/_}"; }
port_of() { eval echo "\$PORT_${1//-/_}"; }
stop() { local pid; pid=$(pid_of "$1"); kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# run NAME SIZE N [TAG PATH H2LOAD-ARGS...] -> appends "rps p50 p99 cpu_us user_us" to $work/NAME.TAG
# (TAG defaults to SIZE, PATH to /bytes/SIZE, the load to ${LOAD[*]})
run() {
  local name=$1 size=$2 n=$3 tag=${4:-$2} path=${5:-/bytes/$2} pid port before after out log
  local load=("${LOAD[@]}"); [ $# -gt 5 ] && load=("${@:6}")
  pid=$(pid_of "$name"); port=$(port_of "$name")
  log="$work/req.log"; out="$work/h2load.out"
  rm -f "$log" # h2load appends to its log file
  before=$(cpu_ticks "$pid"); local ubefore; ubefore=$(user_ticks "$pid")
  /usr/bin/time -f "%U %S" -o "$work/client.time" taskset -c 1 h2load -n "$n" "${load[@]}" --log-file="$log" "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
  after=$(cpu_ticks "$pid"); local uafter; uafter=$(user_ticks "$pid")
  local ok rps
  ok=$(grep -Eo '[0-9]+ succeeded' "$out" | awk '{print $1}')
  rps=$(grep -Eo 'finished in [0-9.]+[a-z]+, [0-9.]+ req/s' "$out" | awk '{print $4}')
  [ "${ok:-0}" = "$n" ] || echo "   warning: $name $size: ${ok:-0}/$n succeeded" >&2
  local lat
  lat=$(awk -F'\t' '{print $3}' "$log" | sort -n | awk '{a[NR]=$1} END {p=int(NR*0.50); q=int(NR*0.99); if (p<1) p=1; if (q<1) q=1; printf "%d %d", a[p], a[q]}')
  local cpu_us
  cpu_us=$(awk -v d=$((after - before)) -v t="$TICK" -v n="$n" 'BEGIN {printf "%.2f", d / t / n * 1e6}')
  local user_us
  user_us=$(awk -v d=$((uafter - ubefore)) -v t="$TICK" -v n="$n" 'BEGIN {printf "%.2f", d / t / n * 1e6}')
  local client_us # h2load's own CPU (user+sys): a server cost that only moved to the client would show here
  client_us=$(awk -v n="$n" '{printf "%.2f", ($1 + $2) / n * 1e6}' "$work/client.time")
  echo "$rps $lat $cpu_us $user_us $client_us" >>"$work/$name.$tag"
  echo "   $name $tag: $rps req/s, p50/p99 $lat us, $cpu_us us CPU/request, user $user_us, client $client_us" >&2
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

read -r -a servers <<<"$SERVERS"
for size in ${SIZES:-13 65536}; do
  n=$N13; [ "$size" = 65536 ] && n=$N64
  [ "$size" -gt 65536 ] && n=$((N64 * 65536 / size < 500 ? 500 : N64 * 65536 / size)) # other sizes: 64 KiB's octets, at least 500 requests
  echo "== ${size}-byte responses: h2load -n $n ${LOAD[*]}, $RUNS interleaved runs"
  for s in "${servers[@]}"; do start "$s"; done
  for round in 1 2; do # warm-up (JIT, pools; see the header); not counted
    for s in "${servers[@]}"; do
      port=$(port_of "$s")
      taskset -c 1 h2load -n $((n / 5)) "${LOAD[@]}" "http://127.0.0.1:$port/bytes/$size" >/dev/null 2>&1 || true
    done
    sleep 2
  done
  for r in $(seq "$RUNS"); do
    for s in "${servers[@]}"; do run "$s" "$size" "$n"; done
  done
  for s in "${servers[@]}"; do
    pid=$(pid_of "$s")
    echo "$(hwm_kib "$pid")" >"$work/$s.$size.hwm"
    cp "$work/$s.idle" "$work/$s.$size.idle"
    stop "$s"
  done
done

if [ "${SCALE:-0}" = 1 ]; then
  scale=("${servers[@]}")
  head -c 13 /dev/zero | tr '\0' 'u' >"$work/upload"
  echo "== scale: 1,000 idle connections; 1,000 connections x 1 stream and 100 x 10 streams (13 B), 10,000 uploads of 13 octets; $RUNS interleaved runs"
  for s in "${scale[@]}"; do start "$s"; done
  for s in "${scale[@]}"; do # RSS per idle connection, on the fresh server (SETTINGS exchanged, no request)
    pid=$(pid_of "$s"); before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    rm -f "$work/idle.ready"
    /usr/bin/python3 tools/idle-connections.py "$(port_of "$s")" 1000 "$work/idle.ready" 2>"$work/idle.log" &
    holder=$!
    for _ in $(seq 600); do [ -s "$work/idle.ready" ] && break; kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
    if [ -s "$work/idle.ready" ]; then
      sleep 2
      after=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
      awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", (a - b) / 1000 }' >"$work/$s.idlekb"
      echo "   $s: RSS $before -> $after KiB with 1,000 idle connections" >&2
    else
      echo "-" >"$work/$s.idlekb"; echo "   $s: idle connections failed: $(head -1 "$work/idle.log")" >&2
    fi
    kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true
  done
  sleep 1
  for s in "${scale[@]}"; do # warm-up, not counted
    port=$(port_of "$s")
    taskset -c 1 h2load -n 4000 -c 200 -m 1 "http://127.0.0.1:$port/bytes/13" >/dev/null 2>&1 || true
  done
  sleep 2
  for r in $(seq "$RUNS"); do
    for s in "${scale[@]}"; do
      run "$s" 13 20000 conn1000 /bytes/13 -c 1000 -m 1
      run "$s" 13 100000 conn100 /bytes/13 -c 100 -m 10
      upload=/echo; [ "$s" = nghttpd ] && upload=/bytes/13
      [ "$s" = kestrel ] || run "$s" 13 10000 upload "$upload" -c 10 -m 100 -d "$work/upload" # the baseline app has no upload route
    done
  done
  for s in "${scale[@]}"; do
    pid=$(pid_of "$s")
    echo "$(hwm_kib "$pid")" >"$work/$s.scale.hwm"
    stop "$s"
  done
fi

mb() { awk '{printf "%.1f", $1/1024}' "$1"; }
printf '\n%-10s %-8s %12s %10s %10s %12s %10s %10s %10s %10s\n' server run "req/s" "p50 us" "p99 us" "cpu us/req" "idle MB" "peak MB" "user us" "client us"
for size in ${SIZES:-13 65536}; do
  for s in "${servers[@]}"; do
    f="$work/$s.$size"
    printf '%-10s %-8s %12s %10s %10s %12s %10s %10s %10s %10s\n' "$s" "$size" \
      "$(awk '{print $1}' "$f" | median)" "$(awk '{print $2}' "$f" | median)" "$(awk '{print $3}' "$f" | median)" \
      "$(awk '{print $4}' "$f" | median)" "$(mb "$work/$s.$size.idle")" "$(mb "$work/$s.$size.hwm")" "$(awk '{print $5}' "$f" | median)" \
      "$(awk '{print $6}' "$f" | median)"
  done
done
if [ "${SCALE:-0}" = 1 ]; then
  for tag in conn1000 conn100 upload; do
    for s in "${scale[@]}"; do
      f="$work/$s.$tag"
      [ -s "$f" ] || continue
      printf '%-10s %-8s %12s %10s %10s %12s %10s %10s %10s %10s\n' "$s" "$tag" \
        "$(awk '{print $1}' "$f" | median)" "$(awk '{print $2}' "$f" | median)" "$(awk '{print $3}' "$f" | median)" \
        "$(awk '{print $4}' "$f" | median)" "-" "$(mb "$work/$s.scale.hwm")" "$(awk '{print $5}' "$f" | median)" \
        "$(awk '{print $6}' "$f" | median)"
    done
  done
  echo
  for s in "${scale[@]}"; do printf '%-10s RSS per idle connection: %s KiB\n' "$s" "$(cat "$work/$s.idlekb")"; done
fi
