using BenchmarkDotNet.Running;
using Benchmarks;

// Every benchmark class of this assembly (HPACK here; other areas add theirs in their own files).
// dotnet run -c Release --project tools/Benchmarks -- --filter '*Hpack*' [--job short]
// `--profile [seconds]` runs the connection session in a loop without BenchmarkDotNet,
// for a profiler to attach to (DOTNET_PerfMapEnabled=1 perf record -g dotnet Benchmarks.dll --profile 10).
if (args is ["--profile", ..])
{
    var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
    var bench = new ConnectionBenchmarks();
    bench.Setup();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long requests = 0;
    while (clock.Elapsed.TotalSeconds < seconds) requests += bench.Session();
    Console.WriteLine($"{requests} requests in {clock.Elapsed.TotalSeconds:F1} s: {requests / clock.Elapsed.TotalSeconds:N0} requests/s");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
