#!/usr/bin/env bash
# HPACK vectors (hpack-test-case) through our decoder and encoders.
# usage: ./run-vectors.sh [DIR...]   (default: $HPACK_TEST_CASE_DIR)
#        ./run-vectors.sh --speed [DIR] [ROUNDS]   quick speed figures (CPU and wall time)
# DIR is the corpus root (one row per implementation folder) or one folder.
# Exit status is non-zero on any failure; each failure names the story, the
# seqno, the expected and the actual fields.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
config="${CONFIGURATION:-Release}"
if [ "${NO_BUILD:-}" = 1 ]; then
  exec dotnet run --project "$root/tools/VectorRunner" -c "$config" --no-build -- "$@"
fi
exec dotnet run --project "$root/tools/VectorRunner" -c "$config" -- "$@"
