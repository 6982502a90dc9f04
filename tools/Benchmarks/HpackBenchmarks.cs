using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Http2.Reference.Hpack;

namespace Benchmarks;

/// <summary>
/// HPACK over the hpack-test-case corpus (HPACK_TEST_CASE_DIR), as
/// <see cref="HpackWork"/> defines the work: decode every wire of every
/// implementation folder, encode every raw-data story. One
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

    private HpackWork work = null!;

    /// <summary>The encoder strategy of the encode benchmarks.</summary>
    [Params("nghttp2")]
    public string Strategy { get; set; } = "nghttp2";

    [GlobalSetup]
    public void Setup()
    {
        work = HpackWork.FromEnvironment();
        Work[nameof(Decode)] = (work.DecodeHeaders, work.DecodeOctets);
        Work[nameof(EncodeToArray)] = (work.EncodeHeaders, work.EncodeOctets);
        Work[nameof(EncodeToBufferWriter)] = (work.EncodeHeaders, work.EncodeOctets);
    }

    /// <summary>Decodes every block of every implementation folder, story by story.</summary>
    [Benchmark]
    public long Decode() => work.DecodeAll();

    /// <summary>Encodes every raw-data story into fresh arrays, with new field objects per block.</summary>
    [Benchmark]
    public long EncodeToArray() => work.EncodeAllToArrays(EncoderStrategy.Find(Strategy).IfNone(EncoderStrategy.Nghttp2));

    /// <summary>Encodes every raw-data story into one reused buffer (the server's path), with new field objects per block.</summary>
    [Benchmark]
    public long EncodeToBufferWriter() => work.EncodeAll(EncoderStrategy.Find(Strategy).IfNone(EncoderStrategy.Nghttp2)).Wire;

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
