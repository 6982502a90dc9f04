using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Benchmarks;

/// <summary>
/// <c>Benchmarks --hpack-paired --from ANCHOR_DIR --anchor-lib LIB decode|encode ROUNDS [BUILD_DIR...]</c>:
/// libnghttp2 (the anchor built as a shared library, tools/hpack-anchor/anchor.c with
/// <c>-DANCHOR_LIBRARY</c>) and this build's <see cref="HpackWork"/> take turns in one
/// process, round by round, each timed by its thread's CPU clock; other builds of this
/// program (BUILD_DIR, each loaded in its own assembly load context) join the turns, for a
/// before and after.
/// </summary>
/// <remarks>
/// On a shared machine the speed of a process moves with its neighbours' load, by more than
/// the differences worth measuring. Two programs run one after the other see different
/// loads; rounds of 40 ms taken in turn (A B C, then C B A) in one process see the same
/// load, and the ratio of a round to its partner of the same turn cancels most of it. The
/// first quarter of the turns warms up (tiered compilation) and is not counted.
/// </remarks>
public static class HpackPaired
{
    /// <summary>Runs the turns; returns the exit status.</summary>
    public static int Run(string[] args)
    {
        if (args is not ["--hpack-paired", "--from", var from, "--anchor-lib", var lib, "decode" or "encode", var roundsText, .. var builds]
            || !int.TryParse(roundsText, CultureInfo.InvariantCulture, out var rounds) || rounds < 4)
        {
            Console.Error.WriteLine("usage: Benchmarks --hpack-paired --from ANCHOR_DIR --anchor-lib LIBANCHOR.so decode|encode ROUNDS(>=4) [BUILD_DIR...]");
            return 2;
        }
        var encode = args[5] == "encode";
        var anchor = NativeLibrary.Load(lib);
        var file = Path.Combine(from, encode ? "encode.bin" : "decode.bin");
        unsafe
        {
            var load = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(anchor, "anchor_load");
            var path = System.Text.Encoding.UTF8.GetBytes(file + "\0");
            fixed (byte* p = path)
                if (load(p) != 0)
                {
                    Console.Error.WriteLine($"hpack-paired: the anchor cannot read {file}");
                    return 2;
                }
        }
        var contenders = new List<(string Name, Func<long> Round)> { ("libnghttp2 " + AnchorVersion(anchor), AnchorRound(anchor, encode)) };
        contenders.Add(("this build", OurRound(HpackWork.FromAnchorFiles(from), encode)));
        foreach (var dir in builds) contenders.Add((dir, BuildRound(dir, from, encode)));

        var rates = contenders.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var i = 0; i < contenders.Count; i++)
            {
                var k = r % 2 == 0 ? i : contenders.Count - 1 - i;
                var t0 = ThreadCpuSeconds();
                var headers = contenders[k].Round();
                var seconds = ThreadCpuSeconds() - t0;
                if (r >= rounds / 4) rates[k].Add(headers / seconds / 1e6);
            }

        Console.WriteLine(FormattableString.Invariant($"# {(encode ? "encode" : "decode")}: {rates[0].Count} counted turns of {contenders.Count} in one process; M headers/s per thread CPU second"));
        Console.WriteLine($"{"program",-40} {"median",8} {"best",8} {"/ libnghttp2, per turn: median (range of the middle half)",10}");
        for (var i = 0; i < contenders.Count; i++)
        {
            var sorted = rates[i].Order().ToArray();
            var paired = rates[i].Zip(rates[0], (x, c) => x / c).Order().ToArray();
            var ratio = i == 0 ? "" : FormattableString.Invariant($"{Median(paired):F3} ({paired[paired.Length / 4]:F3}-{paired[paired.Length * 3 / 4]:F3})");
            Console.WriteLine(FormattableString.Invariant($"{contenders[i].Name,-40} {Median(sorted),8:F2} {sorted[^1],8:F2} {ratio}"));
        }
        // Before and after: this build against each other build, turn by turn (adjacent in every turn).
        for (var i = 2; i < contenders.Count; i++)
        {
            var paired = rates[1].Zip(rates[i], (x, b) => x / b).Order().ToArray();
            Console.WriteLine(FormattableString.Invariant(
                $"this build / {contenders[i].Name}, per turn: median {Median(paired):F3} (middle half {paired[paired.Length / 4]:F3}-{paired[paired.Length * 3 / 4]:F3}), faster in {paired.Count(x => x > 1)} of {paired.Length}"));
        }
        return 0;
    }

    private static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static unsafe string AnchorVersion(IntPtr anchor) =>
        Marshal.PtrToStringUTF8((IntPtr)((delegate* unmanaged<byte*>)NativeLibrary.GetExport(anchor, "anchor_version"))()) ?? "?";

    private static unsafe Func<long> AnchorRound(IntPtr anchor, bool encode)
    {
        if (!encode)
        {
            var decode = (delegate* unmanaged<long>)NativeLibrary.GetExport(anchor, "anchor_decode_all");
            return () => decode();
        }
        var encodeAll = (delegate* unmanaged<long*, long*, long>)NativeLibrary.GetExport(anchor, "anchor_encode_all");
        return () =>
        {
            long raw = 0, wire = 0;
            return encodeAll(&raw, &wire);
        };
    }

    private static Func<long> OurRound(HpackWork work, bool encode) =>
        encode ? () => work.EncodeAll(Http2.Reference.Hpack.EncoderStrategy.Nghttp2).Headers : work.DecodeAll;

    // Another build of this program, in a context of its own (its own Http2.Reference.dll):
    // its HpackWork, found by name, called by reflection once per round.
    private static Func<long> BuildRound(string dir, string from, bool encode)
    {
        var main = Path.Combine(Path.GetFullPath(dir), "Benchmarks.dll");
        var context = new BuildContext(main);
        var work = context.LoadFromAssemblyPath(main).GetType("Benchmarks.HpackWork")
            ?? throw new InvalidOperationException($"{main} has no Benchmarks.HpackWork");
        var instance = work.GetMethod(nameof(HpackWork.FromAnchorFiles))!.Invoke(null, [from])!;
        if (!encode)
        {
            var decodeAll = work.GetMethod(nameof(HpackWork.DecodeAll))!.CreateDelegate<Func<long>>(instance);
            return decodeAll;
        }
        var encodeAll = work.GetMethod(nameof(HpackWork.EncodeAll))!;
        var strategy = encodeAll.GetParameters()[0].ParameterType;
        var nghttp2 = strategy.GetProperty("Nghttp2", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? strategy.GetField("Nghttp2", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        return () => ((ValueTuple<long, long>)encodeAll.Invoke(instance, [nghttp2])!).Item1;
    }

    private sealed class BuildContext(string main) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver resolver = new(main);

        protected override Assembly? Load(AssemblyName name) =>
            resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    private static double ThreadCpuSeconds()
    {
        clock_gettime(ClockThreadCpuTime, out var t);
        return t.Seconds + t.Nanoseconds / 1e9;
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
