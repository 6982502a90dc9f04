using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// What a connection holds between requests. A server with thousands of
/// mostly idle connections must not keep a read buffer and two output
/// buffers for each: the read loop waits for data with a zero-byte read and
/// the output buffers give their arrays back when emptied.
/// </summary>
public sealed class ConnectionMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20, Ct);
        return condition();
    }

    [Theory(DisplayName = "An idle connection holds no read or output buffer (h2c and TLS), and one is rented again when requests come")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IdleConnectionHoldsNoBuffers(bool tls)
    {
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), tls ? TlsOptions.SelfSigned() : null, ServerFixture.Quiet);
        server.Start();
        var url = $"{(tls ? "https" : "http")}://127.0.0.1:{server.LocalEndPoint!.Port}";
        using var client = ServerFixture.Http2Client();
        for (var round = 0; round < 2; round++)
        {
            // A large answer grows the output buffers; a POST fills the read buffer.
            Assert.Equal(300_000, (await client.GetByteArrayAsync($"{url}/bytes/300000", Ct)).Length);
            using var post = await client.PostAsync($"{url}/echo", new ByteArrayContent(new byte[200_000]), Ct);
            Assert.Equal("200000\n", await post.Content.ReadAsStringAsync(Ct));
            Assert.Equal(1, server.ConnectionCount);
            var connection = server.Connections.Single();
            // Eventually, not at once: the read loop gives its buffer back after its last
            // read, on a thread-pool thread that a full parallel test run can delay by seconds.
            Assert.True(await Eventually(() => connection.HeldBufferOctets == 0, TimeSpan.FromSeconds(30)),
                $"round {round}: an idle connection holds {connection.HeldBufferOctets} octets of buffers");
        }
    }
}
