#!/usr/bin/env bash
# The real h2spec 2.0.0 (../shared/tools/h2spec) against `h2ref serve` with no
# options (Release, built by .ci/run): h2c default and strict (-S), TLS strict,
# each at the default path "/" and at a second path. Every case must pass:
# 146 (default) / 147 (-S). JUnit reports go to ${ARTIFACTS:-artifacts}/h2spec/.
# Without the binary: skips and says how to get it, except under CI, where it fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
h2spec="${H2SPEC:-$root/../shared/tools/h2spec/h2spec}"
out="${ARTIFACTS:-$root/artifacts}/h2spec"
if [ ! -x "$h2spec" ]; then
  echo "h2spec not found at $h2spec (build it from github.com/summerwind/h2spec or set H2SPEC)"
  [ -n "${CI:-}" ] && exit 1
  exit 0
fi
mkdir -p "$out"
dll=tools/h2ref/bin/Release/net10.0/h2ref.dll
[ -f "$dll" ] || { echo "h2ref is not built (dotnet build Conformance.sln -c Release)"; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rc=0
run() {  # $1: label, $2: serve flags, $3: h2spec flags, $4: path, $5: expected count
  local label=$1 serve=$2 flags=$3 path=$4 want=$5 port pid last
  port=$(free_port)
  # shellcheck disable=SC2086
  dotnet "$dll" serve --host 127.0.0.1 --port "$port" -q $serve >"$out/$label.serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  # shellcheck disable=SC2086
  last=$(timeout 120 "$h2spec" $flags -h 127.0.0.1 -p "$port" -o 3 -P "$path" -j "$out/$label.xml" 2>&1 | tee "$out/$label.txt" | tail -n 1)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if [ "$last" = "$want tests, $want passed, 0 skipped, 0 failed" ]; then
    echo "  h2spec $flags at $path ($label): $last"
  else
    echo "  h2spec $flags at $path ($label): FAILED: $last"
    grep -E '^\s+(×|[0-9]+\.)' "$out/$label.txt" | head -40
    rc=1
  fi
}
for path in / /bytes/13; do
  tag=$(echo "$path" | tr -c 'a-z0-9\n' '_')
  run "h2c$tag" "" "" "$path" 146
  run "h2c-strict$tag" "" "-S" "$path" 147
  run "tls-strict$tag" "--tls" "-t -k -S" "$path" 147
done
exit $rc
