#!/usr/bin/env bash
# Runs the vectors through the h2ref tools (built Release by .ci/run):
#   1. our HPACK stories (vectors/hpack) through `hpack compare`
#   2. every invalid vector (vectors/hpack-invalid.json) through `hpack decode`:
#      the block after its preceding ones must be rejected
#   3. our stories re-encoded with every strategy and decoded back (`encode | decode --expect`)
#   4. the public hpack-test-case folders through `hpack compare` (when present)
#   5. our vectors cross-checked with python-hpack (an independent decoder)
# Exit 0 only when all of them pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
dll=tools/h2ref/bin/Release/net10.0/h2ref.dll
[ -f "$dll" ] || dll=tools/h2ref/bin/Debug/net10.0/h2ref.dll
[ -f "$dll" ] || { echo "h2ref is not built (dotnet build Conformance.sln -c Release)"; exit 1; }
h2ref() { dotnet "$dll" "$@"; }
py=/usr/bin/python3
rc=0
fail() { echo "FAIL: $*"; rc=1; }

echo "-- hpack compare vectors/hpack"
h2ref hpack compare --no-ratio vectors/hpack || fail "our HPACK stories"

echo "-- invalid HPACK vectors through hpack decode"
n=0; bad=0
while IFS=$'\t' read -r id story; do
  n=$((n + 1))
  out=$(printf '%s' "$story" | h2ref hpack decode 2>&1 >/dev/null); status=$?
  last=$(printf '%s' "$story" | $py -c 'import json,sys; print(len(json.load(sys.stdin)["cases"]) - 1)')
  if [ "$status" -ne 1 ] || ! grep -q "case $last " <<<"$out"; then
    bad=$((bad + 1)); fail "invalid vector $id: exit $status: $out"
  fi
done < <($py - <<'PY'
import json
for v in json.load(open('vectors/hpack-invalid.json'))['vectors']:
    cases = v.get('preceding', []) + [{k: v[k] for k in ('wire', 'header_table_size') if k in v}]
    print(v['id'] + '\t' + json.dumps({'cases': cases}))
PY
)
echo "invalid vectors: $((n - bad)) of $n rejected at the right block"

echo "-- encode | decode --expect, every strategy, every story"
strategies=$(h2ref hpack encode --list-strategies | tr -d '\r')
for s in $strategies; do
  for f in vectors/hpack/*.json; do
    h2ref hpack encode --strategy "$s" "$f" 2>/dev/null | h2ref hpack decode --expect >/dev/null || fail "round trip $s $f"
  done
done
echo "strategies: $strategies"

corpus=${HPACK_TEST_CASE_DIR:-}
if [ -n "$corpus" ] && [ -d "$corpus/raw-data" ]; then
  echo "-- hpack compare hpack-test-case ($corpus)"
  dirs=$(find "$corpus" -mindepth 1 -maxdepth 1 -type d ! -name raw-data ! -name '.*' | sort)
  # shellcheck disable=SC2086
  h2ref hpack compare --max-failures 1 $dirs || fail "hpack-test-case folders"
elif [ -n "${CI:-}" ]; then
  fail "CI is set and the hpack-test-case corpus is missing (HPACK_TEST_CASE_DIR)"
else
  echo "-- hpack-test-case corpus not found: skipped (set HPACK_TEST_CASE_DIR)"
fi

echo "-- python-hpack cross-check of vectors/"
if $py -c 'import hpack' 2>/dev/null; then
  $py vectors/scripts/check-python-hpack.py | tail -1
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "python-hpack disagrees with a vector (run vectors/scripts/check-python-hpack.py)"
else
  fail "python3-hpack is not installed"
fi

exit $rc
