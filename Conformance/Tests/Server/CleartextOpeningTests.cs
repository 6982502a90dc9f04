using System.Net;
using System.Net.Sockets;
using System.Text;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>What a cleartext port does with openings that are not the HTTP/2 preface.</summary>
[Collection("servers")]
public sealed class CleartextOpeningTests(ServerFixture servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(DisplayName = "RFC 9113 §3.4: octets that are neither the preface nor an HTTP/1.x request line get GOAWAY(PROTOCOL_ERROR) and a close")]
    public async Task InvalidPrefaceGetsGoAway()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(servers.Cleartext.LocalEndPoint!, Ct);
        await socket.SendAsync("INVALID CONNECTION PREFACE\r\n\r\n"u8.ToArray(), Ct);
        var received = await ReadToEndAsync(socket);
        var frames = new List<Frame>();
        var octets = received.AsMemory();
        while (FrameReader.Read(octets, 16384) is FrameRead ok)
        {
            frames.Add(ok.Frame);
            octets = octets[ok.Consumed..];
        }
        Assert.True(octets.IsEmpty, $"octets that are not frames: {Convert.ToHexString(octets.Span)}");
        var goAway = Assert.Single(frames.OfType<GoAwayFrame>());
        Assert.Equal(ErrorCode.ProtocolError, goAway.Error);
    }

    [Fact(DisplayName = "RFC 9112 §9.6: an HTTP/1.1 POST with a 1 MiB body reads its whole 505 (the server drains the body before closing)")]
    public async Task Http1PostGets505()
    {
        using var client = new HttpClient(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.PostAsync($"{servers.H2c}/echo", new ByteArrayContent(new byte[1 << 20]), Ct);
        Assert.Equal(HttpStatusCode.HttpVersionNotSupported, response.StatusCode);
        Assert.Contains("prior knowledge", await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, timeout.Token)) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }
}
