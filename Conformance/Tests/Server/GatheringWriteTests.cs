using System.Net;
using System.Net.Sockets;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// The writer's gathering writes: a batch of frame octets with body payloads
/// referenced in place reaches the peer whole and in order, however the
/// socket takes it (at once, in parts, or only after the peer reads).
/// </summary>
public sealed class GatheringWriteTests
{
    private static async Task<(Socket Server, Socket Client)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, TestContext.Current.CancellationToken);
        var server = await listener.AcceptAsync(TestContext.Current.CancellationToken);
        // Small buffers: a batch of a few hundred KiB cannot go at once, so the send is partial and then would block.
        server.SendBufferSize = 16 * 1024;
        client.ReceiveBufferSize = 16 * 1024;
        return (server, client);
    }

    /// <summary>
    /// A batch shaped like a burst of responses: 9-octet headers in the buffer
    /// between referenced payloads of several arrays, at offsets, some shared
    /// (more segments than one system call takes), and its expected octets.
    /// </summary>
    private static byte[] Burst(OutputBuffer batch, int frames)
    {
        var random = new Random(9113);
        var bodies = Enumerable.Range(0, 3).Select(_ => { var b = new byte[70_000]; random.NextBytes(b); return b; }).ToArray();
        var expected = new List<byte>();
        for (var i = 0; i < frames; i++)
        {
            var header = new byte[9];
            random.NextBytes(header);
            batch.Write(header);
            expected.AddRange(header);
            var body = bodies[i % bodies.Length];
            var from = random.Next(0, 1000);
            var payload = new ReadOnlyMemory<byte>(body, from, 4096 + random.Next(0, 12_000));
            Assert.True(batch.Reference(payload));
            expected.AddRange(payload.ToArray());
        }
        var tail = new byte[] { 1, 2, 3 };
        batch.Write(tail);
        expected.AddRange(tail);
        return expected.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Socket client, int count, int delayMs)
    {
        var received = new byte[count];
        var at = 0;
        await Task.Delay(delayMs, TestContext.Current.CancellationToken); // the sender meets a full socket first
        while (at < count)
        {
            var n = await client.ReceiveAsync(received.AsMemory(at), SocketFlags.None, TestContext.Current.CancellationToken);
            if (n == 0) break;
            at += n;
        }
        return received[..at];
    }

    [Fact(DisplayName = "A gathering write of referenced payloads arrives whole and in order when the socket takes it in parts")]
    public async Task WriterSendsWholeBatch()
    {
        var (server, client) = await PairAsync();
        using var _ = server;
        using var __ = client;
        var written = new TaskCompletionSource<OutputWriter.Written>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var writer = new OutputWriter(new NetworkStream(server, ownsSocket: false), TimeSpan.FromSeconds(30), w => written.TrySetResult(w), server);
        var expected = Burst(writer.Pending, 300);
        Assert.True(writer.TryStart());
        var read = ReadAllAsync(client, expected.Length, 200);
        var done = await written.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Null(done.Error);
        Assert.Equal(expected.Length, done.Octets);
        Assert.Equal(expected, await read.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact(DisplayName = "Dropping the octets a send took leaves the rest: within a segment, at a boundary, past empty segments, all of it")]
    public void DropLeavesTheRest()
    {
        byte[] a = [1, 2, 3], b = [4, 5];
        List<ArraySegment<byte>> Segments() => [new(a), new([]), new(b)];
        byte[] Rest(List<ArraySegment<byte>> l) => [.. l.SelectMany(s => s)];
        var list = Segments();
        GatheringSend.Drop(list, 1);
        Assert.Equal(new byte[] { 2, 3, 4, 5 }, Rest(list));
        list = Segments();
        GatheringSend.Drop(list, 3);
        Assert.Equal(new byte[] { 4, 5 }, Rest(list));
        Assert.Single(list); // the empty segment went with the whole one before it
        list = Segments();
        GatheringSend.Drop(list, 4);
        Assert.Equal(new byte[] { 5 }, Rest(list));
        list = Segments();
        GatheringSend.Drop(list, 5);
        Assert.Empty(list);
    }

    [Fact(DisplayName = "The direct gathering send stops where the socket would block and resumes from there")]
    public async Task DirectSendStopsAndResumes()
    {
        if (!GatheringSend.Enabled) Assert.Skip("the direct gathering send is for 64-bit Linux");
        var (server, client) = await PairAsync();
        using var _ = server;
        using var __ = client;
        var batch = new OutputBuffer();
        var expected = Burst(batch, 300);
        var segments = batch.Gather();
        Assert.True(segments.Count > GatheringSend.MaxSegments); // more than one system call's worth
        var sent = GatheringSend.Send(server, segments);
        Assert.InRange(sent, 1, expected.Length - 1); // the peer reads nothing yet: the socket filled
        sent += GatheringSend.Send(server, segments); // still (nearly) full: no error, never past the end
        Assert.InRange(sent, 1, expected.Length - 1);
        var read = ReadAllAsync(client, expected.Length, 0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (sent < expected.Length && DateTime.UtcNow < deadline)
        {
            sent += GatheringSend.Send(server, segments);
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
        Assert.Equal(expected.Length, sent);
        Assert.Empty(segments); // what was sent is dropped from the list
        Assert.Equal(expected, await read.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact(DisplayName = "The direct gathering send reports a closed peer as an I/O error, not a crash")]
    public async Task DirectSendToClosedPeer()
    {
        if (!GatheringSend.Enabled) Assert.Skip("the direct gathering send is for 64-bit Linux");
        var (server, client) = await PairAsync();
        using var _ = server;
        client.LingerState = new LingerOption(true, 0); // closing sends RST
        client.Dispose();
        var batch = new OutputBuffer();
        Burst(batch, 4);
        var segments = batch.Gather();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        var error = Record.Exception(() => { for (var i = 0; i < 3; i++) GatheringSend.Send(server, segments); });
        Assert.IsType<IOException>(error);
    }
}
