using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// Drives a pure server connection the way a client would: frames become
/// octets (through the real frame writer) and go through Connection.Receive;
/// outputs are kept for assertions. Time is a field the test moves.
/// </summary>
internal sealed class Server
{
    public ConnectionState State;
    public TimeSpan Now = TimeSpan.FromSeconds(100);
    public List<ConnectionEvent> All = new();
    private EncoderState encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);

    public Server(ConnectionOptions? options = null, bool handshake = true, bool ack = true)
    {
        var r = Connection.Start(options ?? ConnectionOptions.Server, Now);
        State = r.State;
        All.AddRange(r.Outputs);
        if (handshake)
        {
            Bytes(Concat(Connection.ClientPreface.ToArray(), FrameWriter.ToBytes(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty))));
            if (ack) Feed(SettingsFrame.Acknowledgement);
        }
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public IReadOnlyList<ConnectionEvent> Bytes(byte[] bytes)
    {
        var r = Connection.Receive(State, bytes, Now);
        State = r.State;
        All.AddRange(r.Outputs);
        Assert.Equal(bytes.Length, r.Consumed);
        return r.Outputs;
    }

    public IReadOnlyList<ConnectionEvent> Feed(params Frame[] frames) => Bytes(FrameWriter.ToBytes(frames));

    public IReadOnlyList<ConnectionEvent> Step(ConnectionCommand input)
    {
        var r = Connection.Step(State, input, Now);
        State = r.State;
        All.AddRange(r.Outputs);
        return r.Outputs;
    }

    public IReadOnlyList<ConnectionEvent> Tick(TimeSpan advance)
    {
        Now += advance;
        return Step(Http2.Reference.Protocol.Tick.Instance);
    }

    public Bytes Block(params (string, string)[] fields) => Block(fields.Select(f => HeaderField.Of(f.Item1, f.Item2)).ToList());

    public Bytes Block(IReadOnlyList<HeaderField> fields)
    {
        var (e, block) = HpackEncoder.Encode(encoder, fields);
        encoder = e;
        return block;
    }

    public static readonly (string, string)[] Get = [(":method", "GET"), (":scheme", "https"), (":path", "/"), (":authority", "example.org")];

    public static (string, string)[] Post(int length) => [(":method", "POST"), (":scheme", "https"), (":path", "/echo"), (":authority", "example.org"), ("content-length", length.ToString())];

    public static (string, string)[] With(params (string, string)[] extra) => Get.Concat(extra).ToArray();

    public HeadersFrame Headers(uint id, bool endStream = true, params (string, string)[] fields) =>
        new(id, Block(fields.Length == 0 ? Get : fields), endStream);

    /// <summary>A request's header block, split into HEADERS + CONTINUATION at 16384 octets as a client would.</summary>
    public IReadOnlyList<ConnectionEvent> Request(uint id, bool endStream = true, params (string, string)[] fields) =>
        Feed(FrameWriter.SplitHeaderBlock(id, Block(fields.Length == 0 ? Get : fields).Memory, endStream, LanguageExt.Option<PriorityFields>.None, 16384).ToArray());

    public IReadOnlyList<ConnectionEvent> Respond(uint id, bool endStream = false, string status = "200") =>
        Step(new SendHeaders(id, [HeaderField.Of(":status", status)], endStream));
}

internal static class Out
{
    public static IEnumerable<Frame> Frames(this IEnumerable<ConnectionEvent> o) => o.OfType<FrameReady>().Select(f => f.Frame);

    public static GoAwayFrame GoAway(this IEnumerable<ConnectionEvent> o, ErrorCode code)
    {
        var g = Assert.Single(o.Frames().OfType<GoAwayFrame>());
        Assert.Equal(code, g.Error);
        Assert.Contains(o, x => x is ConnectionEnded);
        return g;
    }

    public static void Rst(this IEnumerable<ConnectionEvent> o, uint id, ErrorCode code)
    {
        var r = Assert.Single(o.Frames().OfType<RstStreamFrame>(), f => f.StreamId == id);
        Assert.Equal(code, r.Error);
        Assert.DoesNotContain(o.Frames(), f => f is GoAwayFrame);
    }

    public static void NoError(this IEnumerable<ConnectionEvent> o)
    {
        Assert.DoesNotContain(o, x => x is ErrorDetected);
        Assert.DoesNotContain(o.Frames(), f => f is GoAwayFrame or RstStreamFrame);
        Assert.DoesNotContain(o, x => x is ConnectionEnded);
    }

    public static string Text(this IEnumerable<ConnectionEvent> o) => string.Join("\n", o.Select(x => x.ToString()));
}
