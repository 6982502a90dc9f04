using System.Buffers;
using System.Diagnostics;
using HpackStories;
using Http2.Reference.Hpack;

namespace VectorRunner;

/// <summary>
/// <c>run-vectors.sh --speed DIR</c>: decode every wire of the corpus and encode
/// every raw-data story (nghttp2 strategy, into a reused buffer), several
/// rounds, reporting headers per second by wall clock and by this process's
/// CPU time (the CPU figure stays meaningful on a loaded machine, where
/// BenchmarkDotNet's wall-clock figures do not), and bytes allocated per header.
/// The BenchmarkDotNet project (tools/Benchmarks) is the reference measurement.
/// </summary>
public static class Speed
{
    public static int Run(string dir, int rounds)
    {
        var folders = Corpus.Folders(dir).Select(f => (Name: Path.GetFileName(f), Stories: Corpus.Load(f))).ToList();
        var wired = folders.Where(f => f.Name != "raw-data").SelectMany(f => f.Stories).ToList();
        var decodeWork = wired.Select(s => s.Cases.Select(c => (Size: c.HeaderTableSize, Wire: c.Wire!.Value.ToArray())).ToArray()).ToArray();
        var decodeHeaders = wired.Sum(s => s.Cases.Sum(c => (long)c.Headers.Count));
        var raw = folders.Single(f => f.Name == "raw-data").Stories.Select(s => s.Cases.Select(c => c.Headers).ToArray()).ToArray();
        const int encodeRepeats = 9; // raw-data is one ninth of the decoded corpus: repeat it for a comparable measurement
        var encodeHeaders = encodeRepeats * raw.Sum(s => s.Sum(c => (long)c.Count));
        var writer = new ArrayBufferWriter<byte>(1 << 16);
        Console.WriteLine($"corpus: {decodeHeaders} headers to decode ({wired.Count} stories), {encodeHeaders} to encode ({raw.Length} stories x {encodeRepeats})");
        for (var round = 1; round <= rounds; round++)
        {
            var decode = Measure(decodeHeaders, () =>
            {
                foreach (var story in decodeWork)
                {
                    DecoderState? state = null;
                    foreach (var (size, wire) in story)
                        state = ((DecodedBlock)HpackDecoder.Decode(StoryContext.DecoderBefore(state, size), wire, DecoderLimits.Unlimited)).State;
                }
            });
            var encode = Measure(encodeHeaders, () =>
            {
                for (var repeat = 0; repeat < encodeRepeats; repeat++)
                foreach (var story in raw)
                {
                    var state = EncoderState.Initial(EncoderStrategy.Nghttp2);
                    foreach (var fields in story)
                    {
                        writer.ResetWrittenCount();
                        state = HpackEncoder.Encode(state, fields, writer);
                    }
                }
            });
            Console.WriteLine($"round {round}: decode {decode}   encode {encode}");
        }
        return 0;
    }

    private static string Measure(long headers, Action work)
    {
        var process = Process.GetCurrentProcess();
        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        work();
        wall.Stop();
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(true) - allocated;
        return $"{headers / cpuSeconds / 1e6,5:F2} M headers/s (CPU), {headers / wall.Elapsed.TotalSeconds / 1e6,5:F2} M/s (wall), {bytes / (double)headers,5:F1} B/header";
    }
}
