using System.Net.Sockets;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// A raw HTTP/2 client on a socket: frames out through the frame writer,
/// frames in through the frame reader, so a test can send what no polite
/// client sends (late frames, oversized header blocks) to the real server.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient tcp = new();
    private NetworkStream stream = null!;
    private byte[] buffer = new byte[1 << 16];
    private int have;
    private EncoderState encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<RawClient> ConnectAsync(int port)
    {
        var c = new RawClient();
        await c.tcp.ConnectAsync("127.0.0.1", port);
        c.stream = c.tcp.GetStream();
        await c.SendAsync(Connection.ClientPreface.ToArray());
        // The largest connection window: the tests read every response, so the server never waits for credit.
        await c.SendAsync(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty), new WindowUpdateFrame(0, int.MaxValue - 65535));
        return c;
    }

    public Task SendAsync(params Frame[] frames) => SendAsync(FrameWriter.ToBytes(frames));

    public async Task SendAsync(byte[] bytes) => await stream.WriteAsync(bytes);

    public byte[] Block(params (string, string)[] fields)
    {
        var (e, block) = HpackEncoder.Encode(encoder, fields.Select(f => HeaderField.Of(f.Item1, f.Item2)).ToList());
        encoder = e;
        return block;
    }

    /// <summary>The next frame, or None when the server closed the connection (or <see cref="Patience"/> passed).</summary>
    public async Task<Frame?> NextAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            if (have > 0)
            {
                var r = FrameReader.Read(buffer.AsMemory(0, have), 1 << 24);
                if (r is FrameRead fr)
                {
                    // Copy out: the frame aliases the buffer, which the next read reuses.
                    var frame = FrameReader.Read(buffer.AsMemory(0, fr.Consumed).ToArray(), 1 << 24) is FrameRead copy ? copy.Frame : fr.Frame;
                    Buffer.BlockCopy(buffer, fr.Consumed, buffer, 0, have - fr.Consumed);
                    have -= fr.Consumed;
                    return frame;
                }
                if (r is ReadFailed f) throw new InvalidOperationException($"server sent a bad frame: {f.Error}");
            }
            if (have == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            int n;
            try { n = await stream.ReadAsync(buffer.AsMemory(have), cts.Token); }
            catch (Exception e) when (e is OperationCanceledException or IOException) { return null; }
            if (n == 0) return null;
            have += n;
        }
    }

    /// <summary>Frames until <paramref name="until"/> matches one (included); stops at a close.</summary>
    public async Task<List<Frame>> UntilAsync(Func<Frame, bool> until)
    {
        var seen = new List<Frame>();
        while (await NextAsync() is { } f)
        {
            seen.Add(f);
            if (until(f)) break;
        }
        return seen;
    }

    public void Dispose() => tcp.Dispose();
}

/// <summary>The late-frame behaviour of RFC 9113 §6.4 checked against the real server over a socket.</summary>
public sealed class LiveLateFrameTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(DisplayName = "RFC 9113 §6.4 (real server): late DATA on a stream we reset is discarded after N ordinary requests; the connection lives")]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(10_000)]
    public async Task LateDataAfterManyRequests(int n)
    {
        var server = new Http2Server("127.0.0.1", 0, () => new DemoHandler(), null, ServerOptions.Default with { AccessLog = false });
        server.Start();
        try
        {
            using var c = await RawClient.ConnectAsync(server.LocalEndPoint!.Port);
            await c.SendAsync(SettingsFrame.Acknowledgement);
            // Stream 1: content-length 1, then 5 octets: malformed (§8.1.1), the server resets it.
            await c.SendAsync(new HeadersFrame(1, c.Block((":method", "POST"), (":scheme", "http"), (":path", "/echo"), (":authority", "a"), ("content-length", "1")), false),
                new DataFrame(1, new byte[5]));
            var reset = await c.UntilAsync(f => f is RstStreamFrame { StreamId: 1 } or GoAwayFrame);
            Assert.Contains(reset, f => f is RstStreamFrame { StreamId: 1 });
            // N ordinary requests, sent in batches of 50, each answered to its END_STREAM.
            var get = new[] { (":method", "GET"), (":scheme", "http"), (":path", "/bytes/10"), (":authority", "a") };
            for (var done = 0; done < n;)
            {
                var batch = Math.Min(50, n - done);
                var frames = Enumerable.Range(done, batch).Select(i => (Frame)new HeadersFrame((uint)(3 + 2 * i), c.Block(get), true)).ToArray();
                await c.SendAsync(frames);
                var ended = 0;
                var seen = await c.UntilAsync(f => f is GoAwayFrame || (f is DataFrame { EndStream: true } or HeadersFrame { EndStream: true } && ++ended == batch));
                Assert.DoesNotContain(seen, f => f is GoAwayFrame);
                Assert.Equal(batch, ended);
                done += batch;
            }
            // The late DATA of stream 1, then a PING: the PING is answered, nothing else.
            await c.SendAsync(new DataFrame(1, new byte[100]), new PingFrame(false, 42));
            var after = await c.UntilAsync(f => f is PingFrame { Ack: true } or GoAwayFrame);
            Assert.DoesNotContain(after, f => f is GoAwayFrame or RstStreamFrame);
            Assert.Contains(after, f => f is PingFrame { Ack: true, Opaque: 42 });
        }
        finally { await server.StopAsync(TimeSpan.FromSeconds(2)); }
    }
}

/// <summary>Big header lists are a stream matter (RFC 9113 §8.2, §10.5.1), checked against the real server.</summary>
public sealed class LiveBigHeaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Http2Server Start()
    {
        var server = new Http2Server("127.0.0.1", 0, () => new DemoHandler(), null, ServerOptions.Default with { AccessLog = false });
        server.Start();
        return server;
    }

    private static string Status(HeadersFrame h, ref DecoderState decoder)
    {
        var d = (DecodedBlock)HpackDecoder.Decode(decoder, h.Fragment.Span, DecoderLimits.Unlimited).Case!;
        decoder = d.State;
        return d.Fields.First(f => f.Name.ToUtf8() == ":status").Value.ToUtf8();
    }

    [Theory(DisplayName = "RFC 9113 §10.5.1 (real server, raw socket): 100 KiB in 7 frames, one 70 KB field, 8,000 fields each get 431; the next request on the connection gets 200")]
    [InlineData("100KiB")]
    [InlineData("70KB")]
    [InlineData("8000")]
    public async Task BigHeaderListGets431(string which)
    {
        var server = Start();
        try
        {
            using var c = await RawClient.ConnectAsync(server.LocalEndPoint!.Port);
            await c.SendAsync(SettingsFrame.Acknowledgement);
            (string, string)[] get = [(":method", "GET"), (":scheme", "http"), (":path", "/bytes/3"), (":authority", "a")];
            var rng = new Random(1);
            (string, string)[] extra = which switch
            {
                "100KiB" => [.. Enumerable.Range(0, 53).Select(i => ($"x-f{i}", new string(Enumerable.Range(0, 2000).Select(_ => (char)rng.Next('!', '~')).ToArray())))],
                "70KB" => [("x-big", new string('|', 70_000))],
                _ => [.. Enumerable.Range(0, 8000).Select(i => ($"x-{i}", "v"))],
            };
            var block = c.Block([.. get, .. extra]);
            var frames = FrameWriter.SplitHeaderBlock(1, block, true, LanguageExt.Option<PriorityFields>.None, 16384).ToArray();
            if (which == "100KiB") Assert.Equal(7, frames.Length);
            await c.SendAsync(frames);
            await c.SendAsync(new HeadersFrame(3, c.Block(get), true));
            var seen = await c.UntilAsync(f => f is GoAwayFrame || f is DataFrame { StreamId: 3, EndStream: true });
            Assert.DoesNotContain(seen, f => f is GoAwayFrame);
            var decoder = DecoderState.Initial();
            var statuses = seen.OfType<HeadersFrame>().Select(h => (h.StreamId, Status(h, ref decoder))).ToList();
            Assert.Contains((1u, "431"), statuses);
            Assert.Contains((3u, "200"), statuses);
        }
        finally { await server.StopAsync(TimeSpan.FromSeconds(2)); }
    }

    [Fact(DisplayName = "RFC 9113 §10.5.1, RFC 9110 §6.6.1 (curl): a 60 KB request field (curl sends at most 64 KiB of header block) gets 431 with a date, not a closed connection")]
    public async Task CurlBigField()
    {
        var server = Start();
        try
        {
            var r = await Conformance.Tests.Server.ExternalTool.RunAsync("curl",
                ["-s", "-o", "/dev/null", "-D", "-", "--http2-prior-knowledge", "-H", "x-big: " + new string('|', 60_000), $"http://127.0.0.1:{server.LocalEndPoint!.Port}/"],
                TimeSpan.FromSeconds(20));
            var lines = r.Output.Split('\n', StringSplitOptions.TrimEntries);
            Assert.Equal("HTTP/2 431", lines[0]);
            // RFC 9110 §6.6.1: the core's own 431 has a date too (the shell gives the core the time of day).
            Assert.Contains(lines, l => l.StartsWith("date: ", StringComparison.Ordinal) && l.EndsWith(" GMT", StringComparison.Ordinal));
        }
        finally { await server.StopAsync(TimeSpan.FromSeconds(2)); }
    }
}
