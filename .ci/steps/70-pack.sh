#!/usr/bin/env bash
# Packaging, end to end: packs the library (Http2.Reference, with its .snupkg)
# and the h2ref dotnet tool into a temporary feed from the Release build .ci/run
# made, checks the library's package (id, README, licence, repository, only the
# dependencies the library uses), installs the tool from that feed into a
# temporary tool path, has the installed `h2ref serve` answer curl over h2c on
# a free loopback port, and removes it all. Bounded: about 30 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "70-pack: $1"; for f in "$tmp"/*.log; do [ -s "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done; exit 1; }

# Pack what .ci/run built; build first when run on its own.
no_build=--no-build
[ -f Reference/bin/Release/net10.0/Http2.Reference.dll ] && [ -f tools/h2ref/bin/Release/net10.0/h2ref.dll ] || no_build=
feed="$tmp/feed"
dotnet pack Reference -c Release $no_build -o "$feed" >"$tmp/pack-lib.log" 2>&1 || fail "dotnet pack Reference failed"
dotnet pack tools/h2ref -c Release $no_build -o "$feed" >"$tmp/pack-tool.log" 2>&1 || fail "dotnet pack tools/h2ref failed"

/usr/bin/python3 - "$feed" <<'PY' || fail "the packages are not as described"
import glob, re, sys, zipfile
feed = sys.argv[1]
def one(pattern):
    found = glob.glob(f"{feed}/{pattern}")
    if len(found) != 1: sys.exit(f"expected one {pattern} in the feed, found {found}")
    return found[0]
lib = zipfile.ZipFile(one("Http2.Reference.*[0-9].nupkg"))
one("Http2.Reference.*.snupkg")
nuspec = lib.read("Http2.Reference.nuspec").decode("utf-8-sig")
names = set(lib.namelist())
problems = []
for what, ok in [
    ("id Http2.Reference", "<id>Http2.Reference</id>" in nuspec),
    ("README.md packed and named", "README.md" in names and "<readme>README.md</readme>" in nuspec),
    ("MIT licence expression", '<license type="expression">MIT</license>' in nuspec),
    ("repository URL", re.search(r'<repository type="git" url="https?://[^"]+"', nuspec) is not None),
    ("authors and description", re.search(r"<authors>.+</authors>", nuspec) and re.search(r"<description>.+</description>", nuspec)),
    ("the library and its XML docs", "lib/net10.0/Http2.Reference.dll" in names and "lib/net10.0/Http2.Reference.xml" in names),
]:
    if not ok: problems.append(what)
deps = sorted(re.findall(r'<dependency id="([^"]+)"', nuspec))
if deps != ["LanguageExt.Core", "Microsoft.Extensions.Logging.Abstractions"]:
    problems.append(f"dependencies {deps}")
tool = zipfile.ZipFile(one("h2ref.*[0-9].nupkg"))
if "<packageType name=\"DotnetTool\" />" not in tool.read("h2ref.nuspec").decode("utf-8-sig"):
    problems.append("h2ref is not a DotnetTool package")
if problems: sys.exit("; ".join(problems))
print("70-pack: Http2.Reference: README, MIT, repository, symbols; depends on " + ", ".join(deps))
PY

# Install the tool from the temporary feed only (no other source is consulted).
cat > "$tmp/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="local" value="$feed" /></packageSources></configuration>
XML
dotnet tool install --tool-path "$tmp/tool" --configfile "$tmp/nuget.config" h2ref >"$tmp/install.log" 2>&1 \
  || fail "dotnet tool install h2ref from the local feed failed"
export DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
"$tmp/tool/h2ref" --help >"$tmp/help.log" 2>&1 || fail "the installed h2ref --help failed"
grep -q "serve" "$tmp/help.log" || fail "h2ref --help does not list serve"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/tool/h2ref" serve --port "$port" -q >"$tmp/serve.log" 2>&1 &
pid=$!
out=
for _ in $(seq 100); do
  out=$(curl -sS --http2-prior-knowledge --max-time 2 -w ' %{http_version} %{response_code}' "http://127.0.0.1:$port/" 2>/dev/null) && break
  kill -0 "$pid" 2>/dev/null || fail "the installed h2ref serve exited"
  sleep 0.1
done
case "$out" in *" 2 200") ;; *) fail "the installed h2ref serve did not answer h2c: '$out'" ;; esac
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the installed h2ref serve did not stop within 5 s of SIGTERM"
wait "$pid"; pid=
dotnet tool uninstall --tool-path "$tmp/tool" h2ref >/dev/null 2>&1 || fail "dotnet tool uninstall failed"
echo "70-pack: packed Http2.Reference and h2ref; the installed h2ref serve answered h2c on port $port"
