using BenchmarkDotNet.Running;
using Benchmarks;

// Every benchmark class of this assembly (HPACK here; other areas add theirs in their own files).
// dotnet run -c Release --project tools/Benchmarks -- --filter '*Hpack*' [--job short]
// `--profile [seconds]` runs the connection session in a loop without BenchmarkDotNet,
// for a profiler to attach to (DOTNET_PerfMapEnabled=1 perf record -g dotnet Benchmarks.dll --profile 10).
// `--sessions N` runs exactly N sessions (10,000 requests each), for instruction counts that do
// not depend on the machine's load: valgrind --tool=callgrind, once with N and once with 2N.
// `--hpack decode|encode ROUNDS [REPEAT]` loops over the HPACK corpus as the libnghttp2 anchor
// does (tools/hpack-bench.sh runs both, interleaved, and under callgrind).
if (args is ["--hpack", ..]) return HpackLoop.Run(args);
// `--hpack-paired` alternates libnghttp2 (the anchor as a shared library) and this build round by round in one process.
if (args is ["--hpack-paired", ..]) return HpackPaired.Run(args);
if (args is ["--profile", ..] or ["--sessions", _])
{
    var seconds = args is ["--profile", var s] ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : args[0] == "--profile" ? 10 : double.MaxValue;
    var sessions = args[0] == "--sessions" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
    var bench = new ConnectionBenchmarks();
    bench.Setup();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long requests = 0;
    for (var i = 0; i < sessions && clock.Elapsed.TotalSeconds < seconds; i++) requests += bench.Session();
    Console.WriteLine($"{requests} requests in {clock.Elapsed.TotalSeconds:F1} s: {requests / clock.Elapsed.TotalSeconds:N0} requests/s");
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
