using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The shell's own rules, checked from raw sockets: openings, TLS policy, timers.</summary>
[Collection("servers")]
public sealed class RawSocketTests(ServerFixture servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<byte[]> ReadToEnd(Stream stream, TimeSpan bound)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(bound);
        var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) all.Write(buffer, 0, n);
        }
        catch (IOException) { } // a reset after the answer still counts as closed
        return all.ToArray();
    }

    internal static async Task<NetworkStream> Connect(Http2Server server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint!, Ct);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Reads frames until one matches or the stream ends; returns every frame seen.</summary>
    internal static async Task<List<Frame>> ReadFrames(Stream stream, Func<Frame, bool> until, TimeSpan bound)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(bound);
        var frames = new List<Frame>();
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            var r = FrameReader.Read(buffer.AsMemory(0, filled), FrameConstants.MaxMaxFrameSize);
            if (r is FrameRead read)
            {
                var copy = read.Frame;
                frames.Add(copy);
                buffer.AsSpan(read.Consumed, filled - read.Consumed).CopyTo(buffer);
                filled -= read.Consumed;
                if (until(copy)) return frames;
                continue;
            }
            int n;
            try { n = await stream.ReadAsync(buffer.AsMemory(filled), cts.Token); }
            catch (IOException) { n = 0; }
            if (n == 0) return frames;
            filled += n;
        }
    }

    [Fact(DisplayName = "RFC 9113 §3.3: an HTTP/1.1 request gets a 505 explaining prior knowledge, and the connection closes")]
    public async Task Http11GetsRefusal()
    {
        await using var stream = await Connect(servers.Cleartext);
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), Ct);
        var answer = Encoding.UTF8.GetString(await ReadToEnd(stream, TimeSpan.FromSeconds(5)));
        Assert.StartsWith("HTTP/1.1 505 ", answer);
        Assert.Contains("Connection: close", answer);
        Assert.EndsWith(CleartextPreface.RefusalText, answer);
    }

    [Fact(DisplayName = "RFC 9113 §3.1: an HTTP/1.1 Upgrade: h2c request is refused the same way (no 101)")]
    public async Task UpgradeGetsRefusal()
    {
        await using var stream = await Connect(servers.Cleartext);
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"u8.ToArray(), Ct);
        var answer = Encoding.UTF8.GetString(await ReadToEnd(stream, TimeSpan.FromSeconds(5)));
        Assert.StartsWith("HTTP/1.1 505 ", answer);
    }

    [Fact(DisplayName = "RFC 9113 §3.4: the server's preface is SETTINGS with MAX_CONCURRENT_STREAMS 100 and INITIAL_WINDOW_SIZE 65535 (the original's)")]
    public async Task ServerPrefaceSettings()
    {
        await using var stream = await Connect(servers.Cleartext);
        await stream.WriteAsync(CleartextPreface.Preface.ToArray(), Ct);
        await stream.WriteAsync(FrameWriter.ToBytes(new SettingsFrame(false, default)), Ct);
        var frames = await ReadFrames(stream, f => f is SettingsFrame { Ack: false }, TimeSpan.FromSeconds(5));
        var settings = Assert.IsType<SettingsFrame>(frames[0]); // §3.4: the server preface is a SETTINGS frame, first
        Assert.False(settings.Ack);
        Assert.Contains(new Setting(SettingId.MaxConcurrentStreams, 100), settings.Settings);
        // 65535 is the initial value (§6.5.2), so it may be sent or left implicit.
        Assert.DoesNotContain(settings.Settings, s => s.Id == SettingId.InitialWindowSize && s.Value != 65535);
    }

    /// <summary>
    /// A request's header block, written by hand: :method as GET (static 2) or a literal with
    /// the indexed name 2; :scheme http (static 6); :path and :authority (this server's) as
    /// literals with indexed names.
    /// </summary>
    private byte[] RequestBlock(string method, string path)
    {
        var authority = $"127.0.0.1:{servers.Cleartext.LocalEndPoint!.Port}";
        var block = new List<byte>();
        if (method == "GET") block.Add(0x82);
        else { block.Add(0x02); block.Add((byte)method.Length); block.AddRange(Encoding.ASCII.GetBytes(method)); }
        block.AddRange([0x86, 0x04, (byte)path.Length]);
        block.AddRange(Encoding.ASCII.GetBytes(path));
        block.Add(0x01);
        block.Add((byte)authority.Length);
        block.AddRange(Encoding.ASCII.GetBytes(authority));
        return [.. block];
    }

    /// <summary>
    /// Sends the preface and <paramref name="frames"/> in one write (requests on streams 1, 3,
    /// 5 and 7, stream 3 reset by the client) and reads until streams 1, 5 and 7 have ended:
    /// stream 3 gets no HEADERS or DATA, and nothing is refused.
    /// </summary>
    private static async Task<List<Frame>> AnswersToOneBatch(NetworkStream stream, List<Frame> frames)
    {
        await stream.WriteAsync(CleartextPreface.Preface.ToArray().Concat(FrameWriter.ToBytes(frames)).ToArray(), Ct);
        var ended = new HashSet<uint>();
        var seen = await ReadFrames(stream, f =>
        {
            if (f is DataFrame { EndStream: true } or HeadersFrame { EndStream: true }) ended.Add(f.StreamId);
            return ended.IsSupersetOf([1u, 5u, 7u]);
        }, TimeSpan.FromSeconds(10));
        Assert.True(ended.IsSupersetOf([1u, 5u, 7u]), $"ended: {string.Join(",", ended)}");
        Assert.DoesNotContain(seen, f => f.StreamId == 3 && f is HeadersFrame or DataFrame);
        Assert.DoesNotContain(seen, f => f is GoAwayFrame or RstStreamFrame);
        return seen;
    }

    [Fact(DisplayName = "RFC 9113 §5.1, §8.1: requests read in one batch are answered in order, and a stream the client reset in the same batch gets no frame after its RST_STREAM")]
    public async Task OneBatchWithAReset()
    {
        await using var stream = await Connect(servers.Cleartext);
        var frames = new List<Frame> { new SettingsFrame(false, default), SettingsFrame.Acknowledgement };
        frames.Add(new HeadersFrame(1, RequestBlock("GET", "/bytes/13"), EndStream: true));
        frames.Add(new HeadersFrame(3, RequestBlock("GET", "/bytes/13"), EndStream: true));
        frames.Add(new RstStreamFrame(3, ErrorCode.Cancel));
        frames.Add(new HeadersFrame(5, RequestBlock("GET", "/bytes/20000"), EndStream: true)); // more than a small body: produced after its HEADERS
        frames.Add(new HeadersFrame(7, RequestBlock("GET", "/bytes/1"), EndStream: true));
        var seen = await AnswersToOneBatch(stream, frames);
        // Each answer's HEADERS before its DATA, answers started in the order of the requests.
        var firstHeaders = seen.OfType<HeadersFrame>().Select(h => h.StreamId).ToList();
        Assert.Equal([1u, 5u, 7u], firstHeaders);
        Assert.Equal(13 + 20000 + 1, seen.OfType<DataFrame>().Sum(d => d.Data.Length));
    }

    [Fact(DisplayName = "RFC 9110 §9.3.2, RFC 9113 §5.1: answers without content read in one batch (HEAD) end on their HEADERS, in order among the others; a reset stream gets none")]
    public async Task OneBatchOfAnswersWithoutContent()
    {
        await using var stream = await Connect(servers.Cleartext);
        var frames = new List<Frame> { new SettingsFrame(false, default), SettingsFrame.Acknowledgement };
        frames.Add(new HeadersFrame(1, RequestBlock("HEAD", "/bytes/13"), EndStream: true));
        frames.Add(new HeadersFrame(3, RequestBlock("HEAD", "/bytes/13"), EndStream: true));
        frames.Add(new RstStreamFrame(3, ErrorCode.Cancel));
        frames.Add(new HeadersFrame(5, RequestBlock("GET", "/bytes/13"), EndStream: true));
        frames.Add(new HeadersFrame(7, RequestBlock("HEAD", "/bytes/20000"), EndStream: true));
        var seen = await AnswersToOneBatch(stream, frames);
        Assert.Equal([1u, 5u, 7u], seen.OfType<HeadersFrame>().Select(h => h.StreamId).ToList());
        Assert.All(seen.OfType<HeadersFrame>().Where(h => h.StreamId != 5), h => Assert.True(h.EndStream));
        Assert.Equal(13, seen.OfType<DataFrame>().Where(d => d.StreamId == 5).Sum(d => d.Data.Length));
        Assert.DoesNotContain(seen, f => f is DataFrame && f.StreamId != 5);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.3: SETTINGS not acknowledged in time gets GOAWAY SETTINGS_TIMEOUT (the timer runs without traffic)")]
    public async Task SettingsTimeout()
    {
        var options = ServerFixture.Quiet with { SettingsAckTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, options);
        server.Start();
        // The clock starts before the server's can: it starts when the server has read our preface.
        // (Started after our writes, a test thread descheduled between them under CPU load measured
        // less than the server waited, and the lower bound failed.)
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var stream = await Connect(server);
        await stream.WriteAsync(CleartextPreface.Preface.ToArray(), Ct);
        await stream.WriteAsync(FrameWriter.ToBytes(new SettingsFrame(false, default)), Ct);
        var frames = await ReadFrames(stream, f => f is GoAwayFrame, TimeSpan.FromSeconds(10));
        var elapsed = started.Elapsed;
        var goaway = Assert.IsType<GoAwayFrame>(frames[^1]);
        Assert.Equal(ErrorCode.SettingsTimeout, goaway.Error);
        // Not before the timeout: the interval measured here contains the server's whole wait.
        Assert.True(elapsed >= options.SettingsAckTimeout, elapsed.ToString());
        // The server's SETTINGS came first and was never acknowledged: that is what timed out.
        Assert.IsType<SettingsFrame>(frames[0]);
    }

    [Fact(DisplayName = "RFC 9113 §3.4: octets that are neither the preface nor HTTP/1.x end the connection (never a hang)")]
    public async Task GarbageCloses()
    {
        await using var stream = await Connect(servers.Cleartext);
        await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, Ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ReadToEnd(stream, TimeSpan.FromSeconds(5));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), "the server did not close");
    }

    [Fact(DisplayName = "RFC 9113 §9.2.2: TLS 1.2 with a prohibited cipher suite gets GOAWAY INADEQUATE_SECURITY")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ProhibitedCipherSuite()
    {
        await using var tcp = await Connect(servers.Secure);
        await using var ssl = new SslStream(tcp, false, (_, _, _, _) => true);
        var client = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            // Appendix A: CBC without AEAD is prohibited (the server's certificate is ECDSA).
            CipherSuitesPolicy = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]),
        };
        try { await ssl.AuthenticateAsClientAsync(client, Ct); }
        catch (AuthenticationException e)
        {
            Assert.Skip($"the platform's TLS refused the prohibited suites before HTTP/2 began ({e.Message})");
        }
        Assert.True(TlsPolicy.IsProhibited(ssl.NegotiatedCipherSuite), ssl.NegotiatedCipherSuite.ToString());
        await ssl.WriteAsync(CleartextPreface.Preface.ToArray(), Ct);
        var frames = await ReadFrames(ssl, f => f is GoAwayFrame, TimeSpan.FromSeconds(5));
        var goaway = Assert.IsType<GoAwayFrame>(frames[^1]);
        Assert.Equal(ErrorCode.InadequateSecurity, goaway.Error);
    }

    [Fact(DisplayName = "RFC 9113 §3.2: a TLS client whose ALPN offers only http/1.1 is closed after the handshake")]
    public async Task AlpnWithoutH2()
    {
        await using var tcp = await Connect(servers.Secure);
        await using var ssl = new SslStream(tcp, false, (_, _, _, _) => true);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, Ct);
        }
        catch (AuthenticationException) { return; } // refusing in the handshake (no_application_protocol) is fine too
        await ssl.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), Ct);
        Assert.Empty(await ReadToEnd(ssl, TimeSpan.FromSeconds(5)));
    }
}
