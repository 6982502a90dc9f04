using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Catalogue.Dsl;
using static Conformance.Suite.Model.Steps;

namespace Conformance.Suite.Catalogue;

/// <summary>
/// RFC 9113 §10.5: resource exhaustion. How a server defends itself is its
/// choice (answer, refuse, ENHANCE_YOUR_CALM, close); what every case checks
/// is that the server decides within the timeout, stays up, answers a fresh
/// request on a new connection, and (when its PID is known) keeps its
/// resident memory growth under <see cref="MemoryBound"/>.
/// </summary>
public static partial class Rfc9113
{
    /// <summary>Resident memory a single flood may add to the server (it sends well under 2 MiB).</summary>
    public const long MemoryBound = 64L << 20;

    static readonly TimeSpan FloodTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The server answered what came before, or defended itself with GOAWAY / closing.</summary>
    static Step Decided(ulong opaque) =>
        Expect(new AnyOf(Seq<Reaction>(new PingAck(opaque, OthersAllowed: true), new AnyDecision(0))));

    static Case Flood(int n, string attack, string requirement, params Step[] attackSteps) =>
        H2("10.5", n, "extra", requirement + $" ({attack}: the server stays up, answers a fresh request, and its memory stays bounded.)",
            [Handshake(), new SampleMemory(), .. attackSteps, .. FreshRequest(), new CheckMemory(MemoryBound)])
        with { Timeout = FloodTimeout };

    static byte[] FloodField(int i) => HpackBytes.Field($"x-flood-{i}", new string('a', 100));

    public static Seq<Case> DenialOfService => Seq(
        Flood(1, "rapid reset, CVE-2023-44487",
            "An endpoint MAY treat activity that is suspicious as a connection error of type ENHANCE_YOUR_CALM; a burst of streams opened and immediately reset must not exhaust the server.",
            new Send("500 × (HEADERS GET, RST_STREAM CANCEL) on streams 1, 3, …",
                s => Enumerable.Range(0, 500).SelectMany(i => (byte[])[
                    .. Wire.Encode(new HeadersFrame((uint)(2 * i + 1), s.Request(), EndStream: true)),
                    .. Wire.Encode(new RstStreamFrame((uint)(2 * i + 1), ErrorCode.Cancel))]).ToArray()),
            Send(new PingFrame(false, 0xf100d1)), Decided(0xf100d1)),
        Flood(2, "CONTINUATION flood, 2024",
            "A field block split into a long run of CONTINUATION frames must not exhaust the server, which may refuse it (RFC 9113 §10.5.1, SETTINGS_MAX_HEADER_LIST_SIZE).",
            new Send("HEADERS(stream 1, no END_HEADERS), 5000 × CONTINUATION with one 110-octet field each, then CONTINUATION with END_HEADERS",
                s => [.. Wire.Encode(Raw(FrameType.Headers, FrameFlags.EndStream, 1, s.Request())),
                      .. Enumerable.Range(0, 5000).SelectMany(i => Wire.Encode(Raw(FrameType.Continuation, 0, 1, FloodField(i)))),
                      .. Wire.Encode(Raw(FrameType.Continuation, FrameFlags.EndHeaders, 1, []))]),
            Expect(new AnyDecision(1))),
        Flood(3, "PING flood, CVE-2019-9512",
            "An endpoint MAY treat activity that is suspicious as a connection error of type ENHANCE_YOUR_CALM; a flood of PING frames must not exhaust the server's output queue.",
            Dsl.Flood("PING", 10000, i => new PingFrame(false, (ulong)i)), Send(new PingFrame(false, 0xf100d3)), Decided(0xf100d3)),
        Flood(4, "SETTINGS flood, CVE-2019-9515",
            "An endpoint MAY treat activity that is suspicious as a connection error of type ENHANCE_YOUR_CALM; a flood of SETTINGS frames must not exhaust the server's output queue.",
            Dsl.Flood("SETTINGS(SETTINGS_INITIAL_WINDOW_SIZE=65535)", 10000, _ => new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 65535)))),
            Send(new PingFrame(false, 0xf100d4)), Decided(0xf100d4)),
        Flood(5, "oversized header list",
            "A server that receives a larger field block than it is willing to handle can send an HTTP 431 status code or reset the stream; a 256 KiB header list must not exhaust it.",
            new Send("HEADERS + CONTINUATION frames carrying a GET request with 256 KiB of fields",
                s =>
                {
                    var block = s.Request("GET", Enumerable.Range(0, 64).Select(i => ($"x-big-{i}", new string('b', 4096))).ToArray());
                    var max = (int)Math.Min(s.MaxFrameSize, 16384);
                    var chunks = block.Chunk(max).ToArray();
                    return chunks.SelectMany((c, i) => Wire.Encode(i == 0
                        ? Raw(FrameType.Headers, (byte)(FrameFlags.EndStream | (chunks.Length == 1 ? FrameFlags.EndHeaders : 0)), 1, c)
                        : Raw(FrameType.Continuation, i == chunks.Length - 1 ? FrameFlags.EndHeaders : (byte)0, 1, c))).ToArray();
                }),
            Expect(new AnyDecision(1))),
        Flood(6, "HPACK bomb, CVE-2016-6581",
            "A small field block that refers to a large dynamic-table entry many times decodes to a huge header list; the decoder must bound it (RFC 7541 §7.3, RFC 9113 §10.5.1).",
            Headers(1, "GET request that adds a 4000-octet x-bomb entry to the dynamic table",
                s => [.. HpackBytes.Block(Pseudo(s)), .. HpackBytes.LiteralNewName(HpackBytes.String("x-bomb"), HpackBytes.String(new string('z', 4000)), HpackBytes.Literal.Incremental)]),
            Expect(new AnyDecision(1)),
            Headers(3, "GET request referring to that entry 4000 times (16 MB decoded)",
                s => [.. HpackBytes.Block(Pseudo(s)), .. Enumerable.Repeat(HpackBytes.Indexed(62), 4000).SelectMany(x => x)]),
            Expect(new AnyDecision(3))),
        Flood(7, "empty frames flood, CVE-2019-9518",
            "An endpoint MAY treat activity that is suspicious as a connection error of type ENHANCE_YOUR_CALM; a flood of empty DATA frames must not exhaust the server.",
            Post(1), Dsl.Flood("empty DATA(stream 1)", 10000, _ => new DataFrame(1, Bytes.Empty)),
            Send(new PingFrame(false, 0xf100d7)), Decided(0xf100d7)));
}
