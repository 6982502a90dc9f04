#!/usr/bin/env bash
# HPACK vectors: every hpack-test-case folder through our decoder, raw-data
# through every encoder strategy (Release build, made by .ci/run).
set -uo pipefail
cd "$(dirname "$0")/../.."
dir="${HPACK_TEST_CASE_DIR:-$(pwd)/../shared/hpack-test-case}"
if [ ! -d "$dir/raw-data" ]; then
  echo "hpack-test-case corpus missing at $dir (git clone https://github.com/http2jp/hpack-test-case; set HPACK_TEST_CASE_DIR)"
  if [ -n "${CI:-}" ]; then exit 1; fi
  exit 0
fi
NO_BUILD=1 ./run-vectors.sh "$dir"
