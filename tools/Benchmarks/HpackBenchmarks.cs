using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Reference.Hpack;
using HpackStories;

namespace Benchmarks;

/// <summary>
/// HPACK over the hpack-test-case corpus (HPACK_TEST_CASE_DIR): decode every
/// wire of every implementation folder, encode every raw-data story. One
/// operation is the whole corpus; the extra columns turn it into headers per
/// second, header octets (name + value) per second and bytes allocated per header.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(HpackConfig))]
public class HpackBenchmarks
{
    private sealed class HpackConfig : ManualConfig
    {
        public HpackConfig()
        {
            AddColumn(new PerHeaderColumn("Headers/s", (headers, octets, ns, bytes) => (headers / (ns / 1e9)).ToString("N0")));
            AddColumn(new PerHeaderColumn("MB/s", (headers, octets, ns, bytes) => (octets / (ns / 1e9) / 1e6).ToString("N1")));
            AddColumn(new PerHeaderColumn("B/header", (headers, octets, ns, bytes) => bytes is { } b ? (b / (double)headers).ToString("N1") : "?"));
        }
    }

    // What one operation of each benchmark processes: header count and name + value octets.
    private static readonly Dictionary<string, (long Headers, long Octets)> Work = [];

    private (DecoderState Start, byte[][] Wires)[] decodeStories = [];
    private IReadOnlyList<HeaderField>[][] encodeStories = [];
    private readonly ArrayBufferWriter<byte> writer = new(1 << 16);

    /// <summary>The encoder strategy of the encode benchmarks.</summary>
    [Params("nghttp2")]
    public string Strategy { get; set; } = "nghttp2";

    [GlobalSetup]
    public void Setup()
    {
        var dir = Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR");
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(Path.Combine(dir, "raw-data")))
            throw new InvalidOperationException("set HPACK_TEST_CASE_DIR to a clone of https://github.com/http2jp/hpack-test-case");
        var folders = Corpus.Folders(dir).Select(f => (Name: Path.GetFileName(f), Stories: Corpus.Load(f))).ToList();
        var wired = folders.Where(f => f.Name != "raw-data").SelectMany(f => f.Stories).ToList();
        decodeStories = [.. wired.Select(s => (DecoderState.Initial(s.Cases[0].HeaderTableSize ?? 4096), s.Cases.Select(c => c.Wire!.Value.ToArray()).ToArray()))];
        Work[nameof(Decode)] = (wired.Sum(s => s.Cases.Sum(c => (long)c.Headers.Count)), wired.Sum(s => s.Cases.Sum(c => c.RawLength)));
        var raw = folders.Single(f => f.Name == "raw-data").Stories;
        encodeStories = [.. raw.Select(s => s.Cases.Select(c => c.Headers).ToArray())];
        var encodeWork = (raw.Sum(s => s.Cases.Sum(c => (long)c.Headers.Count)), raw.Sum(s => s.Cases.Sum(c => c.RawLength)));
        Work[nameof(EncodeToArray)] = encodeWork;
        Work[nameof(EncodeToBufferWriter)] = encodeWork;
    }

    /// <summary>Decodes every block of every implementation folder, story by story.</summary>
    [Benchmark]
    public int Decode()
    {
        var fields = 0;
        foreach (var (start, wires) in decodeStories)
        {
            var state = start;
            foreach (var wire in wires)
            {
                var result = HpackDecoder.Decode(state, wire, DecoderLimits.Unlimited);
                if (!result.IsRight) throw new InvalidOperationException("corpus block failed to decode");
                var decoded = (DecodedBlock)result;
                state = decoded.State;
                fields += decoded.Fields.Count;
            }
        }
        return fields;
    }

    /// <summary>Encodes every raw-data story into fresh arrays.</summary>
    [Benchmark]
    public long EncodeToArray()
    {
        var strategy = EncoderStrategy.Find(Strategy).IfNone(EncoderStrategy.Nghttp2);
        long octets = 0;
        foreach (var story in encodeStories)
        {
            var state = EncoderState.Initial(strategy);
            foreach (var fields in story)
            {
                (state, var block) = HpackEncoder.Encode(state, Fresh(fields));
                octets += block.Length;
            }
        }
        return octets;
    }

    /// <summary>Encodes every raw-data story into one reused buffer (the server's path).</summary>
    [Benchmark]
    public long EncodeToBufferWriter()
    {
        var strategy = EncoderStrategy.Find(Strategy).IfNone(EncoderStrategy.Nghttp2);
        long octets = 0;
        foreach (var story in encodeStories)
        {
            var state = EncoderState.Initial(strategy);
            foreach (var fields in story)
            {
                writer.ResetWrittenCount();
                state = HpackEncoder.Encode(state, Fresh(fields), writer);
                octets += writer.WrittenCount;
            }
        }
        return octets;
    }

    private readonly List<HeaderField> fresh = new(256);

    /// <summary>
    /// The block's fields as new objects (the octets shared): a field
    /// remembers its hashes and static-table match once computed (see
    /// <see cref="HeaderField"/>), so encoding the same objects every
    /// operation would measure that memory, not the encoder. The figures
    /// include making these objects (one allocation per field), as a
    /// caller that builds its fields per message pays it.
    /// </summary>
    private List<HeaderField> Fresh(IReadOnlyList<HeaderField> fields)
    {
        fresh.Clear();
        for (var i = 0; i < fields.Count; i++) fresh.Add(new HeaderField(fields[i].Name, fields[i].Value, fields[i].Sensitive));
        return fresh;
    }

    private sealed class PerHeaderColumn(string name, Func<long, long, double, long?, string> format) : IColumn
    {
        public string Id => $"{nameof(HpackBenchmarks)}.{name}";
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => name switch
        {
            "Headers/s" => "Header fields processed per second",
            "MB/s" => "Name + value octets processed per second (10^6)",
            _ => "Bytes allocated per header field",
        };
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            var method = benchmarkCase.Descriptor.WorkloadMethod.Name;
            // The column runs in the host process: measure the corpus here too (cheap) when the setup did not run in it.
            if (!Work.ContainsKey(method)) new HpackBenchmarks().Setup();
            var (headers, octets) = Work[method];
            long? bytes = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
            return format(headers, octets, stats.Mean, bytes);
        }
    }
}
