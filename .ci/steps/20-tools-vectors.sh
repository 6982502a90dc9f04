#!/usr/bin/env bash
# Runs the vectors through the h2ref tools (built Release by .ci/run):
#   1. our HPACK stories (vectors/hpack) through `hpack compare`
#   2. every invalid vector (vectors/hpack-invalid.json) through `hpack decode`:
#      the block after its preceding ones must be rejected
#   3. a story re-encoded with every strategy and decoded back (`encode | decode --expect`);
#      `hpack compare` (1 and 4) also re-encodes every story with every strategy and decodes it back
#   4. the public hpack-test-case folders through `hpack compare` (when present)
#   5. `hpack compare` and run-vectors.sh agree on every folder (counts of stories,
#      cases, passed, failed), on a deliberately broken folder too
#   6. our vectors cross-checked with python-hpack (an independent decoder)
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

echo "-- hpack compare vectors/hpack (decode; encode with every strategy and decode back)"
h2ref hpack compare vectors/hpack || fail "our HPACK stories"

echo "-- invalid HPACK vectors through hpack decode"
n=0; bad=0
while IFS=$'\t' read -r id last section story; do
  n=$((n + 1))
  out=$(printf '%s' "$story" | h2ref hpack decode 2>&1 >/dev/null); status=$?
  if [ "$status" -ne 1 ] || ! grep -q "case $last " <<<"$out" || ! grep -qF "§$section)" <<<"$out"; then
    bad=$((bad + 1)); fail "invalid vector $id: exit $status: $out"
  fi
done < <($py - <<'PY'
import json
for v in json.load(open('vectors/hpack-invalid.json'))['vectors']:
    cases = v.get('preceding', []) + [{k: v[k] for k in ('wire', 'header_table_size') if k in v}]
    print('%s\t%d\t%s\t%s' % (v['id'], len(cases) - 1, v['section'], json.dumps({'cases': cases})))
PY
)
echo "invalid vectors: $((n - bad)) of $n rejected at the right block, citing the vector's section"

echo "-- encode | decode --expect through a pipe, every strategy"
for s in $(h2ref hpack encode --list-strategies | tr -d '\r'); do
  h2ref hpack encode --strategy "$s" vectors/hpack/rfc7541-c5-responses-raw.json 2>/dev/null \
    | h2ref hpack decode --expect >/dev/null && echo "  $s: ok" || fail "round trip through the CLI with $s"
done

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

echo "-- hpack compare agrees with run-vectors.sh (stories, cases, passed, failed per folder)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/broken-encoder"
echo '{"cases":[{"seqno":0,"wire":"82","headers":[{":method":"GET"}]}]}' > "$tmp/broken-encoder/a.json"
echo '{"cases":[{"seqno":0,"wire":"4003666f6f03626172","headers":[{"foo":"bar"}]},{"seqno":1,"wire":"82be","headers":[{":method":"GET"},{"foo":"baz"}]},{"seqno":2,"wire":"82","headers":[{":method":"GET"}]}]}' > "$tmp/broken-encoder/b.json"
echo '{"cases":[{"seqno":0,"wire":"8280","headers":[{":method":"GET"}]}]}' > "$tmp/broken-encoder/c.json"
agree_dirs=("$(pwd)/vectors/hpack" "$tmp/broken-encoder")
if [ -n "$corpus" ] && [ -d "$corpus/raw-data" ]; then
  while IFS= read -r d; do agree_dirs+=("$d"); done < <(find "$corpus" -mindepth 1 -maxdepth 1 -type d ! -name raw-data ! -name '.*' | sort)
fi
NO_BUILD=1 ./run-vectors.sh "${agree_dirs[@]}" > "$tmp/rv.txt" 2>&1
h2ref hpack compare --json --no-ratio "${agree_dirs[@]}" > "$tmp/h2.json"
$py - "$tmp/rv.txt" "$tmp/h2.json" <<'PY' || fail "hpack compare and run-vectors.sh disagree"
import json, sys
rv = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 6 and p[1].isdigit() and not line.startswith('ours:'):
        rv[p[0]] = tuple(int(x) for x in p[1:5])
h2 = {f['folder']: (f['stories'], f['cases'], f['cases_passed'], f['cases_failed'])
      for f in json.load(open(sys.argv[2]))['folders']}
bad = [k for k in sorted(set(rv) | set(h2)) if rv.get(k) != h2.get(k)]
for k in sorted(h2):
    print('  %-30s run-vectors %-22s compare %-22s %s' % (k, rv.get(k), h2.get(k), 'DIFFERENT' if k in bad else 'same'))
sys.exit(1 if bad or not h2 else 0)
PY

echo "-- python-hpack cross-check of vectors/"
if $py -c 'import hpack' 2>/dev/null; then
  $py vectors/scripts/check-python-hpack.py | tail -1
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "python-hpack disagrees with a vector (run vectors/scripts/check-python-hpack.py)"
else
  fail "python3-hpack is not installed"
fi

exit $rc
