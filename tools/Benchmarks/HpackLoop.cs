using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Http2.Reference.Hpack;

namespace Benchmarks;

/// <summary>
/// <c>Benchmarks --hpack decode|encode ROUNDS [REPEAT]</c>: <see cref="HpackWork"/>
/// in a loop without BenchmarkDotNet, printing each round as the libnghttp2
/// anchor does (headers, process CPU time, headers per CPU second), so that
/// tools/hpack-bench.sh can interleave the two, and callgrind can count
/// instructions per round (a marker system call between rounds cuts the
/// profile there, which leaves start-up, the JIT and reading the corpus out).
/// </summary>
public static class HpackLoop
{
    /// <summary>Runs the loop; returns the exit status.</summary>
    public static int Run(string[] args)
    {
        string? from = null;
        if (args is [_, "--from", var dir, .. var rest])
        {
            from = dir;
            args = [args[0], .. rest];
        }
        if (args is not [_, "decode" or "encode", var roundsText, ..] || !int.TryParse(roundsText, out var rounds))
        {
            Console.Error.WriteLine("usage: Benchmarks --hpack [--from ANCHOR_DIR] decode|encode ROUNDS [REPEAT]   (corpus: $HPACK_TEST_CASE_DIR, or export.py's files)");
            return 2;
        }
        var encode = args[1] == "encode";
        var repeat = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var work = from is null ? HpackWork.FromEnvironment() : HpackWork.FromAnchorFiles(from);
        var process = Process.GetCurrentProcess();
        Console.WriteLine($".NET {Environment.Version}, TieredCompilation={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}, TieredPGO={Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default"}");
        for (var r = 1; r <= rounds; r++)
        {
            RoundMarker();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(true);
            long headers = 0, wire = 0;
            for (var k = 0; k < repeat; k++)
            {
                if (encode)
                {
                    var (h, w) = work.EncodeAll(EncoderStrategy.Nghttp2);
                    headers += h;
                    wire += w;
                }
                else headers += work.DecodeAll();
            }
            process.Refresh();
            var seconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            var bytes = (GC.GetTotalAllocatedBytes(true) - allocated) / (double)headers;
            Console.WriteLine(encode
                ? FormattableString.Invariant($"round {r}: encode {headers} headers in {seconds:F4} s CPU: {headers / seconds / 1e6:F3} M headers/s, ratio {wire / (double)(work.EncodeOctets * repeat):F4}, {bytes:F1} B/header")
                : FormattableString.Invariant($"round {r}: decode {headers} headers in {seconds:F4} s CPU: {headers / seconds / 1e6:F3} M headers/s, {bytes:F1} B/header"));
        }
        RoundMarker();
        return 0;
    }

    /// <summary>
    /// A system call made only between rounds, so that callgrind can cut its
    /// profile there (<c>--dump-before=getppid</c>): each dump is one round.
    /// </summary>
    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int RoundMarker();
}
