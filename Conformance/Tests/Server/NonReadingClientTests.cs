using System.Net;
using System.Net.Sockets;
using Http2.Reference.Frames;
using Http2.Reference.Server;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Server;

/// <summary>
/// A client that asks for much and reads nothing (the shell's part of CVE-2019-9517,
/// "internal data buffering"): the server's buffers for it stay bounded, other clients
/// are served meanwhile, and it is cleaned up when it goes away.
/// </summary>
public sealed class NonReadingClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const int Requests = 100;              // the default SETTINGS_MAX_CONCURRENT_STREAMS
    private const long EachBytes = 50_000_000;     // 5 GB asked for in all

    /// <summary>RFC 7541 §6.2.2 literals without indexing (indexed names), no Huffman: a GET for <paramref name="path"/>.</summary>
    private static byte[] RequestBlock(string path, string authority)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http (static table 2, 6)
        void Literal(byte nameIndex, string value)
        {
            var octets = System.Text.Encoding.ASCII.GetBytes(value);
            Assert.True(octets.Length < 127);
            block.Add(nameIndex);
            block.Add((byte)octets.Length);
            block.AddRange(octets);
        }
        Literal(0x04, path);       // :path
        Literal(0x01, authority);  // :authority
        return [.. block];
    }

    /// <summary>Connects with a small receive buffer, opens wide windows (so only the socket holds the server back), sends <see cref="Requests"/> GETs, and never reads.</summary>
    private static async Task<Socket> FloodAsync(Http2Server server, string tag, string route = "/bytes/")
    {
        var socket = await OpenAsync(server);
        await AskAsync(socket, server, tag, route);
        return socket;
    }

    /// <summary>The connection of <see cref="FloodAsync"/>, before its requests.</summary>
    private static async Task<Socket> OpenAsync(Http2Server server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.LocalEndPoint!, Ct);
        var frames = new List<Frame>
        {
            new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 0x7fff_ffff))),
            SettingsFrame.Acknowledgement, // for the server's SETTINGS, which we never read
            new WindowUpdateFrame(0, 0x7fff_ffff - 65_535),
        };
        await socket.SendAsync(CleartextPreface.Preface.ToArray(), Ct);
        await socket.SendAsync(FrameWriter.ToBytes(frames), Ct);
        return socket;
    }

    /// <summary>The requests of <see cref="FloodAsync"/>: <see cref="Requests"/> GETs of <see cref="EachBytes"/> octets.</summary>
    private static async Task AskAsync(Socket socket, Http2Server server, string tag, string route = "/bytes/")
    {
        var authority = $"127.0.0.1:{server.LocalEndPoint!.Port}";
        var frames = new List<Frame>();
        for (var i = 0; i < Requests; i++)
            frames.Add(new HeadersFrame((uint)(2 * i + 1), RequestBlock($"{route}{EachBytes}?{tag}={i}", authority), EndStream: true));
        await socket.SendAsync(FrameWriter.ToBytes(frames), Ct);
    }

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20, Ct);
        return condition();
    }

    [Fact(DisplayName = "CVE-2019-9517: a client that never reads gets bounded buffers, others are still served, and its going away frees everything")]
    public async Task NeverReads()
    {
        var options = ServerFixture.Quiet;
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, options);
        server.Start();
        var tag = "nr" + Guid.NewGuid().ToString("N")[..8];
        var flood = await FloodAsync(server, tag);
        Assert.True(await Eventually(() => server.ConnectionCount == 1, TimeSpan.FromSeconds(10)));
        var connection = server.Connections.Single();

        // The server fills what the socket takes, then waits: its queue reaches the limit and stays there.
        Assert.True(await Eventually(() => connection.QueuedOutput >= options.MaxQueuedOutput / 2, TimeSpan.FromSeconds(10)),
            $"queued {connection.QueuedOutput}");
        // Bound: the limit plus one batch of frames (HEADERS, frame headers), however many streams
        // have bodies to send (the pump feeds only what the bound leaves room for); the core holds
        // at most its per-stream send buffer.
        long shellBound = options.MaxQueuedOutput + 64 * 1024;
        long coreBound = (long)Requests * options.Protocol.Limits.MaxStreamSendBuffer;
        long maxShell = 0, maxCore = 0;
        for (var i = 0; i < 20; i++) // 1 s of watching while it is stuck
        {
            maxShell = Math.Max(maxShell, connection.QueuedOutput);
            maxCore = Math.Max(maxCore, connection.CoreBufferedOutput);
            await Task.Delay(50, Ct);
        }
        Assert.True(maxShell <= shellBound, $"queued for the socket: {maxShell} > {shellBound}");
        Assert.True(maxCore <= coreBound, $"held by the core: {maxCore} > {coreBound}");

        // Meanwhile another client is served promptly (no shared loop is blocked by the stuck writer).
        using (var other = ServerFixture.Http2Client())
        {
            var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}";
            var answer = other.GetByteArrayAsync($"{url}/bytes/100000", Ct);
            Assert.Same(answer, await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
            Assert.Equal(100_000, (await answer).Length);
            Assert.Equal(2, server.ConnectionCount);
        }

        // The client goes away (its unread data makes this a reset): the stuck write fails, the
        // connection is closed and forgotten, and every stream's handler is told (on_close).
        flood.Close(0);
        Assert.True(await Eventually(() => server.ConnectionCount <= 1 && connection.Completion.IsCompleted, TimeSpan.FromSeconds(10)),
            $"connections {server.ConnectionCount}");
        Assert.True(await Eventually(() => TestHandler.Journal.Count(j => j.Path.Contains(tag, StringComparison.Ordinal) && j.Event.StartsWith("close ", StringComparison.Ordinal)) == Requests,
            TimeSpan.FromSeconds(10)), "not every stream's handler saw on_close");
        Assert.Equal(0, connection.QueuedOutput);
    }

    [Fact(DisplayName = "RFC 9113 §6.1: DATA of an in-memory body is written from the body's own octets over h2c: a full output queue holds frame headers, not copies of the payloads")]
    public async Task QueuedPayloadsAreNotCopied()
    {
        var options = ServerFixture.Quiet;
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, options);
        server.Start();
        var flood = await FloodAsync(server, "nc" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Assert.True(await Eventually(() => server.ConnectionCount == 1, TimeSpan.FromSeconds(10)));
            var connection = server.Connections.Single();
            Assert.True(await Eventually(() => connection.QueuedOutput >= options.MaxQueuedOutput / 2, TimeSpan.FromSeconds(10)),
                $"queued {connection.QueuedOutput}");
            // What the reader holds (one 64 KiB buffer at most) and the output arrays: the queued
            // payloads (hundreds of KiB) are referenced where the body keeps them, not copied in.
            long maxHeld = 0;
            for (var i = 0; i < 10; i++)
            {
                maxHeld = Math.Max(maxHeld, connection.HeldBufferOctets);
                await Task.Delay(50, Ct);
            }
            Assert.True(connection.QueuedOutput >= options.MaxQueuedOutput / 2, $"queued {connection.QueuedOutput}");
            Assert.True(maxHeld <= 128 * 1024, $"buffers held: {maxHeld} octets for {connection.QueuedOutput} queued");
        }
        finally { flood.Close(0); }
    }

    [Theory(DisplayName = "A client that never reads but stays connected is dropped after the idle timeout (its streams are told), not held forever")]
    [InlineData("/bytes/")]            // answered at once, while the request octets are being read
    [InlineData("/test/later-bytes/")] // answered later, when the server is only waiting for more requests
    public async Task StalledReaderDropped(string route)
    {
        var options = ServerFixture.Quiet with { IdleTimeout = TimeSpan.FromSeconds(1) };
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, options);
        server.Start();
        var tag = "st" + Guid.NewGuid().ToString("N")[..8];
        using var flood = await FloodAsync(server, tag, route);
        Assert.True(await Eventually(() => server.ConnectionCount == 1, TimeSpan.FromSeconds(10)));
        var connection = server.Connections.Single();
        Assert.True(await Eventually(() => connection.QueuedOutput >= options.MaxQueuedOutput / 2, TimeSpan.FromSeconds(10)));
        var stuck = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await Eventually(() => connection.Completion.IsCompleted && server.ConnectionCount == 0, TimeSpan.FromSeconds(15)),
            $"still open {stuck.Elapsed} after the output stopped moving (idle timeout {options.IdleTimeout})");
        Assert.True(await Eventually(() => TestHandler.Journal.Count(j => j.Path.Contains(tag, StringComparison.Ordinal) && j.Event.StartsWith("close ", StringComparison.Ordinal)) == Requests,
            TimeSpan.FromSeconds(10)), "not every stream's handler saw on_close");
    }
    [Fact(DisplayName = "CVE-2019-9517 at the server's scale: many clients that never read share one bound on queued output (ServerOptions.MaxQueuedOutputTotal), and a reading client is still served")]
    public async Task ManyNeverReadShareTheBound()
    {
        const int Floods = 8;
        var options = ServerFixture.Quiet with { MaxQueuedOutputTotal = 1024 * 1024 }; // 128 KiB each of 8 (MaxQueuedOutput is 512 KiB)
        await using var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, options);
        server.Start();
        var tag = "ms" + Guid.NewGuid().ToString("N")[..8];
        var floods = new List<Socket>();
        for (var i = 0; i < Floods; i++) floods.Add(await OpenAsync(server));
        try
        {
            // All connected first: the share is fixed before any output is queued (a connection
            // that queued more while it was alone keeps it until its client reads).
            Assert.True(await Eventually(() => server.ConnectionCount == Floods, TimeSpan.FromSeconds(10)));
            for (var i = 0; i < Floods; i++) await AskAsync(floods[i], server, $"{tag}{i}");
            var connections = server.Connections.ToList();
            var share = options.MaxQueuedOutputTotal / Floods;
            Assert.True(await Eventually(() => connections.All(c => c.QueueLimit == share), TimeSpan.FromSeconds(10)),
                $"limits: {string.Join(", ", connections.Select(c => c.QueueLimit))}");
            // Each fills its share, not the per-connection bound ...
            Assert.True(await Eventually(() => connections.All(c => c.QueuedOutput >= share / 2), TimeSpan.FromSeconds(10)),
                $"queued: {string.Join(", ", connections.Select(c => c.QueuedOutput))}");
            long maxEach = 0, maxTotal = 0;
            for (var i = 0; i < 20; i++) // 1 s of watching while they are stuck
            {
                var each = connections.Select(c => (long)c.QueuedOutput).ToList();
                maxEach = Math.Max(maxEach, each.Max());
                maxTotal = Math.Max(maxTotal, each.Sum());
                await Task.Delay(50, Ct);
            }
            // ... plus at most one batch of frames (HEADERS, frame headers) each.
            Assert.True(maxEach <= share + 64 * 1024, $"one connection queued {maxEach} > {share} + 64 KiB");
            Assert.True(maxTotal <= options.MaxQueuedOutputTotal + Floods * 64 * 1024, $"all queued {maxTotal}");

            // A client that reads is served meanwhile, at the share of 9 connections.
            using var other = ServerFixture.Http2Client();
            var answer = other.GetByteArrayAsync($"http://127.0.0.1:{server.LocalEndPoint!.Port}/bytes/300000", Ct);
            Assert.Same(answer, await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
            Assert.Equal(300_000, (await answer).Length);
        }
        finally
        {
            foreach (var f in floods) f.Close(0);
        }
        Assert.True(await Eventually(() => server.ConnectionCount == 0, TimeSpan.FromSeconds(10)), $"connections {server.ConnectionCount}");
    }
}
