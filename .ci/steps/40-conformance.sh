#!/usr/bin/env bash
# CI step 40: the conformance runner (h2ref conformance) against real servers
# on loopback:
#   1. nghttpd (Debian nghttp2-server): passes when every failure is one of the
#      known deviations the cases explain (--implementation nghttpd);
#   2. our server (h2ref serve), h2c: every case must pass;
#   3. our server over TLS (ALPN h2, self-signed): a sample of sections.
# Servers are started here and stopped by PID. JUnit/JSON reports go to
# ${ARTIFACTS:-artifacts}/.
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

# 1. nghttpd
nghttpd=/usr/sbin/nghttpd
if [ -x "$nghttpd" ]; then
  for i in $(seq 1 200); do echo "<p>conformance</p>"; done > "$www/index.html"
  port=$(free_port)
  "$nghttpd" --no-tls -d "$www" "$port" >/tmp/ci-40-nghttpd.log 2>&1 &
  ng_pid=$!; pids+=("$ng_pid")
  if wait_listening "$port" 10; then
    echo "-- h2ref conformance against nghttpd (pid $ng_pid, port $port)"
    h2ref conformance --host 127.0.0.1 --port "$port" --implementation nghttpd --pid "$ng_pid" \
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
    h2ref conformance --host 127.0.0.1 --port "$port" --timeout 10 --pid "$srv_pid" \
      --junit "$out/conformance-h2ref.xml" --json "$out/conformance-h2ref.json" || rc=1
  else
    echo "h2ref serve did not listen on $port"; cat /tmp/ci-40-serve.log; rc=1
  fi
  kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null

  port=$(free_port)
  dotnet "$h2ref_dll" serve --host 127.0.0.1 --port "$port" --tls -q >/tmp/ci-40-serve-tls.log 2>&1 &
  tls_pid=$!; pids+=("$tls_pid")
  if wait_listening "$port" 20; then
    for section in 3.4 6.5 8.3 hpack; do
      echo "-- h2ref conformance --tls --section $section against h2ref serve --tls (pid $tls_pid, port $port)"
      h2ref conformance --host 127.0.0.1 --port "$port" --tls --insecure --section "$section" --timeout 10 \
        | tail -1 | tee /tmp/ci-40-tls.txt
      grep -q ' 0 failed, 0 timed out, 0 skipped, 0 errors' /tmp/ci-40-tls.txt || rc=1
    done
  else
    echo "h2ref serve --tls did not listen on $port"; cat /tmp/ci-40-serve-tls.log; rc=1
  fi
  kill "$tls_pid" 2>/dev/null; wait "$tls_pid" 2>/dev/null
else
  echo "-- h2ref serve is not in this tree yet: the run against our server is skipped"
fi

exit $rc
