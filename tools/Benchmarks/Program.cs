using BenchmarkDotNet.Running;

// Every benchmark class of this assembly (HPACK here; other areas add theirs in their own files).
// dotnet run -c Release --project tools/Benchmarks -- --filter '*Hpack*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
