#!/usr/bin/env bash
# Fuzz targets (tools/Fuzz): every decoder of the core — HPACK with fresh and
# carried states, frame reading from memory and from segmented sequences, the
# connection in server and client roles fed mutated traffic in random
# chunkings with time advancing — run for a bounded time with a fixed seed.
# Each input is a function of (seed, target, iteration), so a break prints a
# one-line reproducer. Fails on any broken invariant. About 60 s of fuzzing.
# A longer run is one command:
#   dotnet run -c Release --project tools/Fuzz -- --seconds 3600 --seed $RANDOM
set -uo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/fuzz
mkdir -p "$out"
if ! dotnet build tools/Fuzz -c Release >"$out/build.log" 2>&1; then
  grep -E "error" "$out/build.log" | head -20
  echo "fuzz: build failed"
  exit 1
fi
timeout -k 10 180 dotnet tools/Fuzz/bin/Release/net10.0/Fuzz.dll --seconds "${FUZZ_SECONDS:-60}" --seed "${FUZZ_SEED:-1}" | tee "$out/fuzz.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || echo "fuzz: FAILED (exit $rc); the reproducer is printed above"
echo "fuzz: step took ${SECONDS} s"
exit "$rc"
