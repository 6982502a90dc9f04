using System.Diagnostics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Http2.Reference.Hpack;
using HpackStories;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// Against another implementation: every raw-data story encoded by us decodes
/// correctly with python-hpack (Debian's <c>python3-hpack</c>, run by
/// <c>/usr/bin/python3</c>): one Python process per strategy for the whole corpus.
/// </summary>
public class PythonInteropTests
{
    private const string Python = "/usr/bin/python3";

    // Reads [{"size": N, "stories": [[hex wire, ...], ...]}, ...]; writes, per run and story, the decoded
    // fields of each case as [name hex, value hex] pairs, or {"error": ...} at the first failure.
    private const string Script = """
        import sys, json
        from hpack import Decoder
        out = []
        for run in json.load(sys.stdin):
            stories = []
            for story in run["stories"]:
                d = Decoder()
                d.max_allowed_table_size = run["size"]
                d.max_header_list_size = 1 << 30
                cases = []
                try:
                    for wire in story:
                        cases.append([[k.hex(), v.hex()] for k, v in d.decode(bytes.fromhex(wire), raw=True)])
                except Exception as e:
                    cases.append({"error": repr(e)})
                stories.append(cases)
            out.append(stories)
        json.dump(out, sys.stdout)
        """;

    public static TheoryData<string> Strategies() => [.. EncoderStrategy.All.Select(s => s.Name)];

    private static void RequirePython()
    {
        var ok = File.Exists(Python) && Run("import hpack", "") is { ExitCode: 0 };
        if (ok) return;
        const string how = "python3-hpack is missing: apt-get install python3-hpack (tests use /usr/bin/python3)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail(how);
        Assert.Skip(how);
    }

    private static (int ExitCode, string Output, string Error) Run(string script, string input)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill();
            return (-1, "", "timed out");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory(DisplayName = "Interop: python-hpack decodes every raw-data story as our strategy encodes it (table 4096; nghttp2 also 16384)")]
    [MemberData(nameof(Strategies))]
    public void PythonDecodesOurBlocks(string strategyName)
    {
        Corpus.Require();
        RequirePython();
        var strategy = EncoderStrategy.Find(strategyName).IfNone(() => throw new InvalidOperationException(strategyName));
        var stories = Corpus.Load("raw-data");
        int[] sizes = strategy == EncoderStrategy.Nghttp2 ? [4096, 16384] : [4096]; // keeps the suite fast: python-hpack is slow
        var runs = sizes.Select(size => new
        {
            size,
            stories = stories.Select(story =>
            {
                var enc = EncoderState.Initial(strategy, size).WithTableSize(size);
                return story.Cases.Select(c =>
                {
                    (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
                    return Convert.ToHexStringLower(block);
                }).ToList();
            }).ToList(),
        }).ToList();

        var (exit, output, error) = Run(Script, JsonConvert.SerializeObject(runs));
        Assert.True(exit == 0, $"python-hpack failed: {error}");
        var results = JArray.Parse(output);
        var failures = new List<string>();
        for (var r = 0; r < sizes.Length; r++)
        {
            for (var s = 0; s < stories.Count; s++)
            {
                var decoded = (JArray)results[r][s]!;
                for (var i = 0; i < stories[s].Cases.Count; i++)
                {
                    var c = stories[s].Cases[i];
                    var got = i < decoded.Count ? decoded[i] : null;
                    var expected = c.Headers.Select(f => $"{f.Name.ToHex()}:{f.Value.ToHex()}");
                    if (got is JArray fields && fields.Select(f => $"{f[0]}:{f[1]}").SequenceEqual(expected)) continue;
                    failures.Add($"size {sizes[r]} {stories[s].Name} seqno {c.Seqno}: expected {Corpus.Show(c.Headers)}, python-hpack gave {got?.ToString(Formatting.None) ?? "nothing"}");
                    break;
                }
            }
        }
        if (failures.Count > 0) Assert.Fail(string.Join("\n", failures));
    }
}
