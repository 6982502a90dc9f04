using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;

namespace Conformance.Suite.Model;

/// <summary>What the client observes: a frame from the server, or the end of the connection.</summary>
public abstract record Event
{
    private protected Event() { }
}

/// <summary>The server sent a frame.</summary>
public sealed record Received(Frame Frame) : Event
{
    public override string ToString() => Wire.Describe(Frame);
}

/// <summary>The transport ended (FIN, reset, TLS close, or a write that failed).</summary>
public sealed record Closed(string How) : Event
{
    public override string ToString() => $"connection closed ({How})";
}

/// <summary>
/// Octets from the server that are not HTTP/2 frames: an HTTP/1.1 response, a
/// TLS alert on an h2c port, a frame cut short by the end of the connection.
/// Always a finding (the runner never drops octets it cannot read), and, as
/// for h2spec, whose frame reader fails on them, never a pass.
/// </summary>
/// <param name="What">Why the octets are not a frame.</param>
/// <param name="Octets">The octets (the first ones, when many).</param>
public sealed record NotFrames(string What, byte[] Octets) : Event
{
    /// <summary>How many octets are shown.</summary>
    public const int Shown = 64;

    public override string ToString() => $"octets that are not HTTP/2 frames ({What}): {Show(Octets)}";

    /// <summary>The octets as text with escapes, then in hex: "HTTP/1.1 505 …\r\n" (48 54 54 50 …).</summary>
    public static string Show(ReadOnlySpan<byte> octets)
    {
        var head = octets[..Math.Min(octets.Length, Shown)];
        var text = new System.Text.StringBuilder();
        foreach (var b in head)
            text.Append(b switch { (byte)'\r' => "\\r", (byte)'\n' => "\\n", (byte)'"' => "\\\"", >= 0x20 and < 0x7f => ((char)b).ToString(), _ => $"\\x{b:x2}" });
        var more = octets.Length > head.Length ? $" … ({octets.Length} octets)" : "";
        return $"\"{text}\"{more} [{Convert.ToHexString(head).ToLowerInvariant()}]";
    }
}

/// <summary>The judgement of one event against a reaction.</summary>
public enum Verdict { Pending, Satisfied, Violated }

/// <summary>
/// A reaction of the server that satisfies a requirement: a closed set of
/// patterns over the events the client sees, judged one event at a time.
/// <see cref="Judge"/> answers Satisfied (the case passes this step),
/// Violated (it fails) or Pending (keep reading until the timeout).
/// </summary>
public abstract record Reaction
{
    private protected Reaction() { }

    /// <summary>The expected reaction in words, for reports.</summary>
    public abstract string Describe();

    /// <summary>The judgement of one event; <paramref name="firstEvent"/> is true for the first event this step sees.</summary>
    public abstract Verdict Judge(Event e, bool firstEvent);

    public override string ToString() => Describe();

    /// <summary>A GOAWAY carrying an error code other than NO_ERROR, or the end of the connection: what ends hope for a non-error reaction.</summary>
    private protected static bool Fatal(Event e) =>
        e is Closed || e is Received { Frame: GoAwayFrame g } && g.Error != ErrorCode.NoError;

    private protected static string Names(Seq<ErrorCode> codes) => string.Join(" or ", codes.Map(c => c.Name));
}

/// <summary>
/// RFC 9113 §5.4.1: a connection error: GOAWAY with one of the codes, or the
/// connection closed ("after sending the GOAWAY frame for an error condition,
/// the endpoint MUST close the TCP connection"; a peer that closes without a
/// GOAWAY is accepted, as h2spec does, since the GOAWAY is a SHOULD).
/// </summary>
public sealed record ConnectionError(Seq<ErrorCode> Codes) : Reaction
{
    public override string Describe() => $"GOAWAY with {Names(Codes)}, or the connection closed";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Closed => Verdict.Satisfied,
        Received { Frame: GoAwayFrame g } => Codes.Exists(c => c == g.Error) ? Verdict.Satisfied : Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>
/// RFC 9113 §5.4.2: a stream error: RST_STREAM on the stream with one of the
/// codes. A connection error of the same type is accepted too (an endpoint
/// may always treat an error as affecting the whole connection, §5.4.1).
/// With <paramref name="CompleteResponseFails"/> (for complete, malformed
/// requests), a complete response on the stream without a reset fails: the
/// stream is then closed and can no longer be reset, so the server accepted
/// the request ("a server MAY send an HTTP response prior to closing or
/// resetting the stream", §8.1.1 — prior to, not instead of).
/// </summary>
public sealed record StreamError(uint Stream, Seq<ErrorCode> Codes, bool CompleteResponseFails = false) : Reaction
{
    public override string Describe() =>
        $"RST_STREAM on stream {Stream} with {Names(Codes)}, or GOAWAY with {Names(Codes)}, or the connection closed";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Closed => Verdict.Satisfied,
        Received { Frame: GoAwayFrame g } => Codes.Exists(c => c == g.Error) ? Verdict.Satisfied : Verdict.Violated,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream && Codes.Exists(c => c == r.Error) => Verdict.Satisfied,
        // after a complete response, RST_STREAM(NO_ERROR) asks the client to stop sending the request (§8.1): no verdict on the error yet
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream && r.Error == ErrorCode.NoError && !CompleteResponseFails => Verdict.Pending,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream => Verdict.Violated,
        Received { Frame: HeadersFrame { EndStream: true } h } when CompleteResponseFails && h.StreamId == Stream => Verdict.Violated,
        Received { Frame: DataFrame { EndStream: true } d } when CompleteResponseFails && d.StreamId == Stream => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>
/// A response: a HEADERS frame on the stream (RFC 9113 §8.1). HEADERS on
/// another stream first (a pushed response, §8.4) fails it unless
/// <paramref name="OthersFirst"/>: h2spec, like most test clients, takes the
/// first HEADERS frame as the answer to its request, and nothing in RFC 9113
/// asks a pushed response to overtake the one the client asked for.
/// </summary>
/// <param name="OthersFirst">Several requests are in flight: responses on other streams may come first.</param>
public sealed record Response(uint Stream, bool OthersFirst = false) : Reaction
{
    public override string Describe() =>
        $"a response (HEADERS) on stream {Stream}{(OthersFirst ? "" : ", before HEADERS on any other stream")}";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: HeadersFrame h } when h.StreamId == Stream => Verdict.Satisfied,
        Received { Frame: HeadersFrame } when !OthersFirst => Verdict.Violated,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream => Verdict.Violated,
        _ when Fatal(e) => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>A DATA frame on the stream with exactly this many octets of data (RFC 9113 §6.9.1).</summary>
public sealed record DataOf(uint Stream, int Length) : Reaction
{
    public override string Describe() => $"DATA on stream {Stream} with {Length} octet(s) of data";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: DataFrame d } when d.StreamId == Stream => d.Data.Length == Length ? Verdict.Satisfied : Verdict.Violated,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream => Verdict.Violated,
        _ when Fatal(e) => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>A PING acknowledgement echoing the payload (RFC 9113 §6.7); any other PING ACK fails.</summary>
/// <param name="OthersAllowed">Other PING acknowledgements may come first (a flood of PINGs was sent).</param>
public sealed record PingAck(ulong Opaque, bool OthersAllowed = false) : Reaction
{
    public override string Describe() => $"PING with ACK and payload {Opaque:x16}";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: PingFrame { Ack: true } p } => p.Opaque == Opaque ? Verdict.Satisfied : OthersAllowed ? Verdict.Pending : Verdict.Violated,
        _ when Fatal(e) => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>A SETTINGS acknowledgement (RFC 9113 §6.5.3).</summary>
public sealed record SettingsAck : Reaction
{
    public override string Describe() => "SETTINGS with ACK";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: SettingsFrame { Ack: true } } => Verdict.Satisfied,
        _ when Fatal(e) => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>RFC 9113 §3.4: the server connection preface, a SETTINGS frame that is the first frame sent.</summary>
public sealed record ServerPreface : Reaction
{
    public override string Describe() => "a SETTINGS frame (without ACK) as the server's first frame";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: SettingsFrame { Ack: false } } when firstEvent => Verdict.Satisfied,
        _ => Verdict.Violated,
    };
}

/// <summary>A GOAWAY with one of the codes whose last-stream-id is at least <paramref name="MinLastStream"/>, then (optionally) the end.</summary>
public sealed record GoAway(Seq<ErrorCode> Codes, uint MinLastStream) : Reaction
{
    public override string Describe() => $"GOAWAY with {Names(Codes)} and last stream id ≥ {MinLastStream}";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: GoAwayFrame g } => Codes.Exists(c => c == g.Error) && g.LastStreamId >= MinLastStream ? Verdict.Satisfied : Verdict.Violated,
        Closed => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>Either of several reactions: satisfied by the first that is, violated when all are.</summary>
public sealed record AnyOf(Seq<Reaction> Options) : Reaction
{
    public override string Describe() => string.Join("; or ", Options.Map(o => o.Describe()));
    public override Verdict Judge(Event e, bool firstEvent)
    {
        var verdicts = Options.Map(o => o.Judge(e, firstEvent)).ToArray();
        return verdicts.Contains(Verdict.Satisfied) ? Verdict.Satisfied
             : verdicts.All(v => v == Verdict.Violated) ? Verdict.Violated
             : Verdict.Pending;
    }
}

/// <summary>The end of a response: HEADERS or DATA with END_STREAM on the stream (the stream is then closed, RFC 9113 §5.1).</summary>
public sealed record ResponseComplete(uint Stream) : Reaction
{
    public override string Describe() => $"a complete response (END_STREAM) on stream {Stream}";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: HeadersFrame { EndStream: true } h } when h.StreamId == Stream => Verdict.Satisfied,
        Received { Frame: DataFrame { EndStream: true } d } when d.StreamId == Stream => Verdict.Satisfied,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream => Verdict.Violated,
        Closed => Verdict.Violated,
        Received { Frame: GoAwayFrame g } when g.Error != ErrorCode.NoError => Verdict.Violated,
        _ => Verdict.Pending,
    };
}

/// <summary>A PING acknowledgement with no DATA on the stream before it (RFC 9113 §6.9.2: no flow-controlled frames while the window is not positive).</summary>
public sealed record PingAckWithoutData(uint Stream, ulong Opaque) : Reaction
{
    public override string Describe() => $"PING with ACK and payload {Opaque:x16}, and no DATA on stream {Stream} before it";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Received { Frame: DataFrame d } when d.StreamId == Stream && d.Data.Length > 0 => Verdict.Violated,
        _ => new PingAck(Opaque).Judge(e, firstEvent),
    };
}

/// <summary>The end of the connection (a GOAWAY before it is fine): RFC 9113 §5.4.1 "the endpoint MUST close the TCP connection".</summary>
public sealed record ConnectionClosed : Reaction
{
    public override string Describe() => "the connection closed (after a GOAWAY or not)";
    public override Verdict Judge(Event e, bool firstEvent) => e is Closed ? Verdict.Satisfied : Verdict.Pending;
}

/// <summary>
/// Any decisive reaction to a request on the stream: a response, a reset, a
/// GOAWAY or the end of the connection. For resource-exhaustion checks, where
/// how the server defends itself is its choice and what matters is that it
/// stays up (checked by the steps that follow).
/// </summary>
public sealed record AnyDecision(uint Stream) : Reaction
{
    public override string Describe() => $"any decision about stream {Stream}: a response, RST_STREAM, GOAWAY or the connection closed";
    public override Verdict Judge(Event e, bool firstEvent) => e switch
    {
        Closed or Received { Frame: GoAwayFrame } => Verdict.Satisfied,
        Received { Frame: HeadersFrame h } when h.StreamId == Stream => Verdict.Satisfied,
        Received { Frame: RstStreamFrame r } when r.StreamId == Stream => Verdict.Satisfied,
        _ => Verdict.Pending,
    };
}
