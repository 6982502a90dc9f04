#!/usr/bin/env bash
# The README's main job, end to end: `h2ref serve` (Release, as .ci/run built
# it) answers curl over h2c with prior knowledge, refuses HTTP/1.1 with a 505,
# and stops gracefully on SIGTERM. Bounded: about 10 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=tools/h2ref/bin/Release/net10.0/h2ref.dll
[ -f "$bin" ] || dotnet build tools/h2ref -c Release >/dev/null 2>&1
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
dotnet "$bin" serve --port "$port" >"$log" 2>&1 &
pid=$!
fail() { echo "30-server: $1"; cat "$log"; kill "$pid" 2>/dev/null; exit 1; }
for _ in $(seq 100); do
  curl -s --http2-prior-knowledge --max-time 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
out=$(curl -sS --http2-prior-knowledge --max-time 5 -w ' %{http_version} %{response_code}' "http://127.0.0.1:$port/") || fail "h2c GET failed"
case "$out" in *"reference server"*" 2 200") ;; *) fail "unexpected h2c answer: $out" ;; esac
code=$(curl -sS --http1.1 --max-time 5 -o /dev/null -w '%{response_code}' "http://127.0.0.1:$port/") || fail "HTTP/1.1 request hung or failed"
[ "$code" = 505 ] || fail "HTTP/1.1 got $code, expected the 505 refusal"
grep -Eq '"GET / HTTP/2" 200 [0-9]+ - done$' "$log" || fail "no access log line (status, octets, push mark, outcome)"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "no graceful stop within 5 s of SIGTERM"
wait "$pid"; rc=$?
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
echo "30-server: h2ref serve answered h2c, refused HTTP/1.1, stopped on SIGTERM"
