using System.Buffers;
using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using HpackStories;

namespace Fuzz;

/// <summary>One fuzz target: makes an input from the random source, runs it, and returns the broken invariant (null: none).</summary>
public delegate string? Target(Random rng, Seeds seeds, out byte[] input);

/// <summary>The targets, one per decoder, each with invariants beyond "no exception".</summary>
public static class Targets
{
    public static readonly (string Name, Target Run)[] All =
    [
        ("hpack-fresh", HpackFresh),
        ("hpack-carried", HpackCarried),
        ("frames", Frames),
        ("connection-server", ConnectionServer),
        ("connection-client", ConnectionClient),
    ];

    private static readonly DecoderLimits Tight = new(200, 5, 64);

    // ---- HPACK ---------------------------------------------------------------------------

    internal static string Show(Either<HpackError, DecodedBlock> r) => r.Match(
        d => $"{d.ListSizeExceeded}:{Corpus.Show(d.Fields)}|table {Corpus.Show(d.State.Table)} max {d.State.Table.MaxSize}",
        e => "error " + e);

    /// <summary>Decodes in fragments cut at <paramref name="cuts"/> (Begin, Continue, End: RFC 9113 §4.3).</summary>
    internal static Either<HpackError, DecodedBlock> InFragments(DecoderState state, byte[] block, int[] cuts, DecoderLimits limits)
    {
        Either<HpackError, HeaderBlockProgress> p = HpackDecoder.Begin(state);
        var at = 0;
        foreach (var cut in cuts)
        {
            var from = at;
            p = p.Bind(q => HpackDecoder.Continue(q, block.AsSpan(from, cut - from), limits));
            at = cut;
        }
        return p.Bind(q => HpackDecoder.End(q, block.AsSpan(at), limits));
    }

    /// <summary>The invariants of one decode: deterministic, and any fragmentation equals one read (when one read succeeds).</summary>
    private static string? CheckDecode(Random rng, DecoderState state, byte[] block, DecoderLimits limits, out Either<HpackError, DecodedBlock> result)
    {
        result = HpackDecoder.Decode(state, block, limits);
        var again = HpackDecoder.Decode(state, block, limits);
        if (Show(result) != Show(again)) return "an old state replays identically: decoding twice from one state differs";
        var cuts = Mutator.Cuts(rng, block.Length);
        var split = InFragments(state, block, cuts, limits);
        // A string skipped unread (neither kept nor indexed) is Huffman-checked as it passes: fragments fail exactly when one read
        // does, though the error may name another offset.
        if (result.IsLeft != split.IsLeft || (result.IsRight && Show(result) != Show(split)))
            return $"any chunking equals one read: cuts [{string.Join(",", cuts)}]\n  whole: {Show(result)}\n  split: {Show(split)}";
        return null;
    }

    /// <summary>HPACK decode from a fresh state: corpus blocks mutated; every 16th input is a corpus block unmutated, which must decode to its fields.</summary>
    public static string? HpackFresh(Random rng, Seeds seeds, out byte[] input)
    {
        var (before, c) = seeds.Blocks[rng.Next(seeds.Blocks.Count)];
        if (rng.Next(16) == 0)
        {
            input = c.Wire!.Value.ToArray();
            var e = CheckDecode(rng, before, input, DecoderLimits.Unlimited, out var r);
            if (e is not null) return e;
            return r.Exists(d => Corpus.SameFields(c.Headers, d.Fields)) ? null : $"a valid corpus block decodes to the corpus fields: got {Show(r)}";
        }
        input = Mutator.Mutate(rng, c.Wire!.Value.ToArray(), seeds.Blocks[rng.Next(seeds.Blocks.Count)].Case.Wire!.Value.ToArray());
        var fresh = DecoderState.Initial(rng.Next(4) == 0 ? rng.Next(0, 8192) : 4096);
        return CheckDecode(rng, fresh, input, rng.Next(3) == 0 ? Tight : DecoderLimits.Default, out _);
    }

    /// <summary>HPACK decode with the state a story carried up to a block, that block mutated; the old state must replay identically and still decode the original.</summary>
    public static string? HpackCarried(Random rng, Seeds seeds, out byte[] input)
    {
        var k = rng.Next(seeds.Blocks.Count);
        var (before, c) = seeds.Blocks[k];
        input = Mutator.Mutate(rng, c.Wire!.Value.ToArray(), seeds.Blocks[rng.Next(seeds.Blocks.Count)].Case.Wire!.Value.ToArray());
        var e = CheckDecode(rng, before, input, rng.Next(3) == 0 ? Tight : DecoderLimits.Unlimited, out var r);
        if (e is not null) return e;
        // The next block of the story from whatever state came out: never throws.
        if (k + 1 < seeds.Blocks.Count)
            r.IfRight(d => HpackDecoder.Decode(d.State, seeds.Blocks[k + 1].Case.Wire!.Value.ToArray(), DecoderLimits.Default));
        var original = HpackDecoder.Decode(before, c.Wire!.Value.ToArray(), DecoderLimits.Unlimited);
        return original.Exists(o => Corpus.SameFields(c.Headers, o.Fields))
            ? null
            : $"an old state replays identically: the state before the block no longer decodes the original ({Show(original)})";
    }

    // ---- frames ------------------------------------------------------------------------------

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> m, long at) { Memory = m; RunningIndex = at; }
        public Segment Append(ReadOnlyMemory<byte> m) { var s = new Segment(m, RunningIndex + Memory.Length); Next = s; return s; }
    }

    private static ReadOnlySequence<byte> Segmented(byte[] b, int[] cuts)
    {
        if (cuts.Length == 0) return new ReadOnlySequence<byte>(b);
        var first = new Segment(b.AsMemory(0, cuts[0]), 0);
        var last = first;
        for (var i = 0; i < cuts.Length; i++) last = last.Append(b.AsMemory(cuts[i], (i + 1 < cuts.Length ? cuts[i + 1] : b.Length) - cuts[i]));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static string Describe(ReadResult r) => r switch
    {
        FrameRead f => $"{FrameFormatter.Format(f.Frame)} ({f.Consumed})",
        ReadFailed f => $"error {f.Error} ({f.Consumed})",
        NeedMore n => $"need {n.AtLeast}",
        _ => "?",
    };

    /// <summary>Frame reading from memory and from a segmented sequence: the same frames, errors and consumption; progress always.</summary>
    public static string? Frames(Random rng, Seeds seeds, out byte[] input)
    {
        input = Mutator.Mutate(rng, seeds.Frames[rng.Next(seeds.Frames.Count)], seeds.Frames[rng.Next(seeds.Frames.Count)]);
        var max = rng.Next(4) == 0 ? (uint)(1 << 24) - 1 : 16384u;
        var at = 0;
        for (var guard = 0; at < input.Length && guard < 10_000; guard++)
        {
            var rest = input.AsMemory(at);
            var fromMemory = FrameReader.Read(rest, max);
            var fromSequence = FrameReader.Read(Segmented(rest.ToArray(), Mutator.Cuts(rng, rest.Length)), max);
            if (Describe(fromMemory) != Describe(fromSequence))
                return $"any chunking equals one read: at {at}, memory {Describe(fromMemory)}, sequence {Describe(fromSequence)}";
            var consumed = fromMemory switch { FrameRead f => f.Consumed, ReadFailed f => f.Consumed, _ => 0 };
            if (fromMemory is NeedMore) break;
            if (consumed <= 0 || consumed > rest.Length)
                return $"progress: {Describe(fromMemory)} consumed {consumed} of {rest.Length}";
            if (fromMemory is FrameRead fr)
            {
                // What was read writes and reads back to the same frame.
                var written = FrameWriter.ToBytes(fr.Frame);
                var back = FrameReader.Read(written, (uint)(1 << 24) - 1);
                if (back is not FrameRead b || FrameFormatter.Format(b.Frame) != FrameFormatter.Format(fr.Frame))
                    return $"round trip: {FrameFormatter.Format(fr.Frame)} wrote {Convert.ToHexString(written)}, read back {Describe(back)}";
            }
            at += consumed;
        }
        return null;
    }

    // ---- the connection ----------------------------------------------------------------------

    internal static string Show(IEnumerable<ConnectionEvent> o) => string.Join("|", o.Where(x => x is not TimerRequested).Select(x => x switch
    {
        HeadersReceived h => $"H{h.StreamId}:{Corpus.Show(h.Fields)}:{h.EndStream}",
        TrailersReceived t => $"T{t.StreamId}:{Corpus.Show(t.Fields)}",
        PushPromiseReceived p => $"P{p.ParentStreamId}>{p.PromisedStreamId}:{Corpus.Show(p.RequestFields)}",
        FrameReady f => FrameFormatter.Format(f.Frame),
        _ => x.ToString(),
    }));

    private sealed record Run(List<ConnectionEvent> Outputs, int Unconsumed, ConnectionState State);

    /// <summary>
    /// Feeds octets as a shell would: each chunk appended to what was left,
    /// unconsumed octets passed again. With <paramref name="clock"/>, time
    /// advances per chunk, due timers fire, writes are reported flushed and
    /// requests are answered; without it, only Receive runs, at one instant.
    /// </summary>
    private static Run Feed(ConnectionState state, byte[] bytes, int[] chunks, Random? clock, TimeSpan now)
    {
        var outs = new List<ConnectionEvent>();
        var pending = Array.Empty<byte>();
        var at = 0;
        for (var i = 0; at < bytes.Length; i++)
        {
            var n = chunks.Length == 0 ? bytes.Length : chunks[i % chunks.Length];
            pending = [.. pending, .. bytes.AsSpan(at, Math.Min(n, bytes.Length - at))];
            at += n;
            if (clock is not null) now += TimeSpan.FromMilliseconds(clock.Next(3) == 0 ? clock.Next(20_000) : clock.Next(50));
            var r = Connection.Receive(state, pending, now);
            if (r.Consumed < 0 || r.Consumed > pending.Length) throw new InvalidOperationException($"consumed {r.Consumed} of {pending.Length}");
            if (state.Phase == ConnectionPhase.Closed && r.Outputs.Count > 0) throw new InvalidOperationException("outputs from a closed connection");
            state = r.State;
            outs.AddRange(r.Outputs);
            pending = pending[r.Consumed..];
            if (clock is null) continue;
            var inputs = new List<ConnectionCommand>();
            foreach (var o in r.Outputs)
                if (o is HeadersReceived h && state.Options.Role == Role.Server)
                {
                    inputs.Add(new SendHeaders(h.StreamId, [HeaderField.Of(":status", "200")], false));
                    inputs.Add(new SendData(h.StreamId, new byte[clock.Next(70_000)], true));
                }
                else if (o is DataReceived d) inputs.Add(new ConsumeData(d.StreamId, d.Data.Length));
            if (clock.Next(2) == 0) inputs.Add(MarkFlushed.Instance);
            if (state.NextDeadline.Exists(due => due <= now)) inputs.Add(Tick.Instance);
            var s = Connection.StepAll(state, inputs, now);
            state = s.State;
            outs.AddRange(s.Outputs);
        }
        return new Run(outs, pending.Length, state);
    }

    private static string? CheckConnection(Random rng, ConnectionState start, byte[] bytes)
    {
        var t0 = TimeSpan.FromSeconds(1);
        // Chunks grow with the input, so a 40 KB header block is not fed octet by octet (that costs time, finds nothing more).
        var scale = 1 + bytes.Length / 2048;
        var chunks = Mutator.Chunks(rng).Select(c => c * scale).ToArray();
        // Any chunking equals one read (at one instant: time is an input too).
        var whole = Feed(start, bytes, [], null, t0);
        var split = Feed(start, bytes, chunks, null, t0);
        if (Show(whole.Outputs) != Show(split.Outputs) || whole.Unconsumed != split.Unconsumed || whole.State.Phase != split.State.Phase)
            return $"any chunking equals one read: chunks [{string.Join(",", chunks)}]\n  whole: {Show(whole.Outputs)} (left {whole.Unconsumed})\n  split: {Show(split.Outputs)} (left {split.Unconsumed})";
        // Time advancing, timers, an application answering: and an old state replays identically.
        var seed = rng.Next();
        var half = bytes.Length / 2;
        var first = Feed(start, bytes[..half], chunks, new Random(seed), t0);
        var mid = first.State;
        var restBytes = bytes[(half - first.Unconsumed)..];
        var a = Feed(mid, restBytes, chunks, new Random(seed + 1), t0 + TimeSpan.FromSeconds(30));
        var b = Feed(mid, restBytes, chunks, new Random(seed + 1), t0 + TimeSpan.FromSeconds(30));
        if (Show(a.Outputs) != Show(b.Outputs))
            return $"an old state replays identically:\n  first:  {Show(a.Outputs)}\n  replay: {Show(b.Outputs)}";
        return null;
    }

    /// <summary>The connection in the server role fed mutated client traffic (the preface mutated too, sometimes).</summary>
    public static string? ConnectionServer(Random rng, Seeds seeds, out byte[] input)
    {
        var traffic = Mutator.Mutate(rng, seeds.ClientTraffic[rng.Next(seeds.ClientTraffic.Count)], seeds.ClientTraffic[rng.Next(seeds.ClientTraffic.Count)]);
        input = [.. Connection.ClientPreface, .. traffic];
        if (rng.Next(20) == 0) input = Mutator.Mutate(rng, input, []);
        var start = Connection.Start(ConnectionOptions.Server, TimeSpan.Zero).State;
        return CheckConnection(rng, start, input);
    }

    /// <summary>The connection in the client role, after it sent a request on stream 1, fed mutated server traffic.</summary>
    public static string? ConnectionClient(Random rng, Seeds seeds, out byte[] input)
    {
        input = Mutator.Mutate(rng, seeds.ServerTraffic[rng.Next(seeds.ServerTraffic.Count)], seeds.ServerTraffic[rng.Next(seeds.ServerTraffic.Count)]);
        var started = Connection.Start(ConnectionOptions.Client, TimeSpan.Zero).State;
        var asked = Connection.Step(started, new SendHeaders(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "http"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")], true), TimeSpan.Zero).State;
        return CheckConnection(rng, asked, input);
    }
}
