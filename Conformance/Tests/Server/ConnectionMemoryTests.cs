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

    [Fact(DisplayName = "A body read from a stream goes out exact from pooled read buffers, and none stays lent once its streams ended, those reset mid-body included")]
    public async Task ReadBuffersAreReturnedOrForgotten()
    {
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, ServerFixture.Quiet);
        server.Start();
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}/test/stream-bytes/";
        using var client = ServerFixture.Http2Client();
        var whole = new[] { 1_000_003, 300_007, 65_536 }.Select(async n =>
        {
            var got = await client.GetByteArrayAsync(url + n, Ct);
            Assert.True(TestHandler.StreamOctets(n).AsSpan().SequenceEqual(got), $"{n} octets: the body differs from the stream's");
        });
        // Dropped after 20 KB: the client resets the stream while the server has chunks read and not yet sent.
        var abandoned = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.GetAsync(url + 2_000_000, HttpCompletionOption.ResponseHeadersRead, Ct);
            await using var body = await response.Content.ReadAsStreamAsync(Ct);
            await body.ReadAtLeastAsync(new byte[20_000], 20_000, throwOnEndOfStream: false, Ct);
        });
        await Task.WhenAll([.. whole, .. abandoned]);
        Assert.Equal(1, server.ConnectionCount);
        var connection = server.Connections.Single();
        Assert.True(await Eventually(() => connection.LoanedBuffers == 0, TimeSpan.FromSeconds(30)),
            $"{connection.LoanedBuffers} read buffers are still lent after every stream ended");
    }
}
