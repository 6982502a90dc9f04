using Reference.Hpack;
using VectorRunner;

// run-vectors: every hpack-test-case story through our decoder (other
// implementations' wires) and our encoders (raw-data, each strategy, decoded
// back), with a summary row per implementation folder / strategy.
if (args is ["--speed", .. var rest])
{
    var corpus = rest.Length > 0 ? rest[0] : Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") ?? "";
    if (!Directory.Exists(Path.Combine(corpus, "raw-data")))
    {
        Console.Error.WriteLine("usage: run-vectors.sh --speed [CORPUS_DIR] [ROUNDS]  (the corpus root, default $HPACK_TEST_CASE_DIR)");
        return 2;
    }
    return Speed.Run(corpus, rest.Length > 1 && int.TryParse(rest[1], out var n) ? n : 10);
}

var dirs = args.Length > 0 ? args : Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") is { Length: > 0 } d ? [d] : [];
if (dirs.Length == 0)
{
    Console.Error.WriteLine("usage: run-vectors.sh [DIR...]  (default $HPACK_TEST_CASE_DIR)");
    Console.Error.WriteLine("get the corpus: git clone https://github.com/http2jp/hpack-test-case; export HPACK_TEST_CASE_DIR=$PWD/hpack-test-case");
    return 2;
}

var rows = new List<(string Name, int Stories, int Cases, int Passed, int Failed, string Ratio)>();
var failures = new List<string>();
foreach (var dir in dirs)
{
    if (!Directory.Exists(dir))
    {
        Console.Error.WriteLine($"no such directory: {dir}");
        return 2;
    }
    var folders = Corpus.Folders(dir);
    foreach (var folder in folders)
    {
        var name = Path.GetFileName(folder);
        var stories = Corpus.Load(folder);
        if (stories.All(s => s.Cases.All(c => c.Wire is null)))
        {
            foreach (var strategy in EncoderStrategy.All) rows.Add(Encode($"ours: {strategy.Name}", stories, strategy, failures));
            continue;
        }
        rows.Add(Decode(name, stories, failures));
    }
}

Console.WriteLine($"{"implementation",-34} {"stories",7} {"cases",7} {"passed",7} {"failed",7} {"ratio",7}");
foreach (var r in rows) Console.WriteLine($"{r.Name,-34} {r.Stories,7} {r.Cases,7} {r.Passed,7} {r.Failed,7} {r.Ratio,7}");
Console.WriteLine("ratio = header block octets / name+value octets of the same stories; ours: raw-data encoded at table size 4096, decoded back by our decoder");
foreach (var f in failures) Console.WriteLine($"FAIL {f}");
return failures.Count == 0 && rows.Count > 0 ? 0 : 1;

// Decodes every wire of a folder; a story stops at its first failure (later blocks depend on the table).
static (string, int, int, int, int, string) Decode(string name, IReadOnlyList<Story> stories, List<string> failures)
{
    int cases = 0, passed = 0, failed = 0;
    long raw = 0, wire = 0;
    foreach (var story in stories)
    {
        DecoderState? state = null;
        var broken = false;
        foreach (var c in story.Cases)
        {
            cases++;
            raw += c.RawLength;
            wire += c.Wire?.Length ?? 0;
            if (broken) { failed++; continue; }
            state = state is null ? DecoderState.Initial(c.HeaderTableSize ?? HpackConstants.DefaultHeaderTableSize)
                : c.HeaderTableSize is { } size ? state.WithSettingsTableSize(size) : state;
            var result = HpackDecoder.Decode(state, c.Wire ?? [], DecoderLimits.Unlimited);
            var failure = result.Match(
                Right: decoded =>
                {
                    state = decoded.State;
                    return Corpus.SameFields(c.Headers, decoded.Fields) ? "" : $"expected {Corpus.Show(c.Headers)} actual {Corpus.Show(decoded.Fields)}";
                },
                Left: e => $"expected {Corpus.Show(c.Headers)} actual error {e}");
            if (failure.Length == 0) { passed++; continue; }
            failed++;
            broken = true;
            failures.Add($"{name}/{story.Name} seqno {c.Seqno}: {failure}");
        }
    }
    return (name, stories.Count, cases, passed, failed, Ratio(wire, raw));
}

// Encodes every raw-data story with a strategy and decodes each block back.
static (string, int, int, int, int, string) Encode(string name, IReadOnlyList<Story> stories, EncoderStrategy strategy, List<string> failures)
{
    int cases = 0, passed = 0, failed = 0;
    long raw = 0, wire = 0;
    foreach (var story in stories)
    {
        var enc = EncoderState.Initial(strategy);
        var dec = DecoderState.Initial();
        var broken = false;
        foreach (var c in story.Cases)
        {
            cases++;
            raw += c.RawLength;
            (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
            wire += block.Length;
            if (broken) { failed++; continue; }
            var failure = HpackDecoder.Decode(dec, block, DecoderLimits.Unlimited).Match(
                Right: decoded =>
                {
                    dec = decoded.State;
                    return Corpus.SameFields(c.Headers, decoded.Fields) ? "" : $"expected {Corpus.Show(c.Headers)} actual {Corpus.Show(decoded.Fields)}";
                },
                Left: e => $"expected {Corpus.Show(c.Headers)} actual error {e} (block {Convert.ToHexStringLower(block)})");
            if (failure.Length == 0) { passed++; continue; }
            failed++;
            broken = true;
            failures.Add($"{name} raw-data/{story.Name} seqno {c.Seqno}: {failure}");
        }
    }
    return (name, stories.Count, cases, passed, failed, Ratio(wire, raw));
}

static string Ratio(long wire, long raw) => raw == 0 ? "-" : ((double)wire / raw).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
