#!/usr/bin/env bash
# CI step 40: the conformance runner (h2ref conformance) against real servers
# on loopback, every case including h2spec's strict one (-S):
#   1. nghttpd (Debian nghttp2-server): passes when every failure is one of the
#      known deviations the cases explain (--implementation nghttpd);
#   2. our server (h2ref serve), h2c: every case must pass;
#   3. our server over TLS (ALPN h2, self-signed): every case must pass;
#   4. a target that is not there: one line on stderr, exit 1.
# Each run must end with h2spec's summary line ("N tests, N passed, N skipped,
# N failed"). The agreement with the real h2spec, id by id, is a test
# (H2specAgreementTests, in dotnet test). Servers are started here and stopped
# by PID. JUnit/JSON reports go to ${ARTIFACTS:-artifacts}/.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="${ARTIFACTS:-$root/artifacts}"
mkdir -p "$out"

h2ref_dll=""
for c in Release Debug; do
  [ -f "tools/h2ref/bin/$c/net10.0/h2ref.dll" ] && { h2ref_dll="tools/h2ref/bin/$c/net10.0/h2ref.dll"; break; }
done
if [ -z "$h2ref_dll" ]; then
  dotnet build tools/h2ref -c Release >/tmp/ci-40-build.log 2>&1 || { tail -20 /tmp/ci-40-build.log; exit 1; }
  h2ref_dll="tools/h2ref/bin/Release/net10.0/h2ref.dll"
fi
h2ref() { dotnet "$h2ref_dll" "$@"; }

pids=()
www=$(mktemp -d)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$www"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_listening() {  # port, seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

rc=0
summary='^[0-9]+ tests, [0-9]+ passed, [0-9]+ skipped, [0-9]+ failed$'
# runs h2ref conformance ARGS, shows the output, and checks the last line is h2spec's summary
conformance() {
  local status
  h2ref conformance "$@" | tee /tmp/ci-40-run.txt
  status=${PIPESTATUS[0]}
  tail -n 1 /tmp/ci-40-run.txt | grep -Eq "$summary" || { echo "the last line is not h2spec's summary line"; status=1; }
  return "$status"
}

# 1. nghttpd
nghttpd=/usr/sbin/nghttpd
if [ -x "$nghttpd" ]; then
  for i in $(seq 1 200); do echo "<p>conformance</p>"; done > "$www/index.html"
  port=$(free_port)
  "$nghttpd" --no-tls -d "$www" "$port" >/tmp/ci-40-nghttpd.log 2>&1 &
  ng_pid=$!; pids+=("$ng_pid")
  if wait_listening "$port" 10; then
    echo "-- h2ref conformance against nghttpd (pid $ng_pid, port $port)"
    conformance -S --host 127.0.0.1 --port "$port" --implementation nghttpd --pid "$ng_pid" \
      --junit "$out/conformance-nghttpd.xml" --json "$out/conformance-nghttpd.json" || rc=1
  else
    echo "nghttpd did not listen on $port"; rc=1
  fi
  kill "$ng_pid" 2>/dev/null; wait "$ng_pid" 2>/dev/null
else
  echo "nghttpd not installed (Debian nghttp2-server)"; rc=1
fi

# 2 and 3. our server, when this tree has it
if h2ref --help | grep -q '^  serve '; then
  port=$(free_port)
  # started with dotnet directly (not the h2ref function): $! must be the server's own PID
  dotnet "$h2ref_dll" serve --host 127.0.0.1 --port "$port" -q >/tmp/ci-40-serve.log 2>&1 &
  srv_pid=$!; pids+=("$srv_pid")
  if wait_listening "$port" 20; then
    # a generous timeout: a passing server costs nothing, and a cold .NET server
    # spends its first seconds compiling
    echo "-- h2ref conformance against h2ref serve (pid $srv_pid, port $port)"
    conformance -S --host 127.0.0.1 --port "$port" --timeout 10 --pid "$srv_pid" \
      --junit "$out/conformance-h2ref.xml" --json "$out/conformance-h2ref.json" || rc=1
  else
    echo "h2ref serve did not listen on $port"; cat /tmp/ci-40-serve.log; rc=1
  fi
  kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null

  port=$(free_port)
  dotnet "$h2ref_dll" serve --host 127.0.0.1 --port "$port" --tls -q >/tmp/ci-40-serve-tls.log 2>&1 &
  tls_pid=$!; pids+=("$tls_pid")
  if wait_listening "$port" 20; then
    echo "-- h2ref conformance -S -t -k against h2ref serve --tls (pid $tls_pid, port $port)"
    conformance -S -t -k -h 127.0.0.1 -p "$port" -o 10 --pid "$tls_pid" \
      -j "$out/conformance-h2ref-tls.xml" --json "$out/conformance-h2ref-tls.json" || rc=1
  else
    echo "h2ref serve --tls did not listen on $port"; cat /tmp/ci-40-serve-tls.log; rc=1
  fi
  kill "$tls_pid" 2>/dev/null; wait "$tls_pid" 2>/dev/null
else
  echo "-- h2ref serve is not in this tree yet: the run against our server is skipped"
fi

# 4. nothing listening: one clear line, exit 1 (not one failure per case)
port=$(free_port)
echo "-- h2ref conformance against a port nobody listens on ($port)"
h2ref conformance -p "$port" -o 1 >/tmp/ci-40-refused.out 2>/tmp/ci-40-refused.err
status=$?
cat /tmp/ci-40-refused.err
if [ "$status" -ne 1 ] || [ -s /tmp/ci-40-refused.out ] || [ "$(wc -l </tmp/ci-40-refused.err)" -ne 1 ]; then
  echo "expected exit 1 and one line on stderr, got exit $status"; rc=1
fi

exit $rc
