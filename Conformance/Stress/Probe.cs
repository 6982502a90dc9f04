using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;

namespace Conformance.Stress;

/// <summary>One fresh-request probe: a new connection, one GET, the time to its response HEADERS.</summary>
/// <param name="Ok">Response HEADERS on stream 1 arrived within the deadline.</param>
/// <param name="Milliseconds">Time from connect to the response HEADERS (or to giving up).</param>
/// <param name="Detail">Why it failed, empty when it did not.</param>
public sealed record ProbeResult(bool Ok, long Milliseconds, string Detail);

/// <summary>Probes during an attack: how many, how many failed, the slowest.</summary>
public sealed record ProbeSeries(int Count, int Failed, long MaxMilliseconds, string FirstFailure)
{
    /// <summary>No probe at all (the attack was too short to probe).</summary>
    public static readonly ProbeSeries None = new(0, 0, 0, "");

    /// <summary>Every probe answered in time (and at least one ran).</summary>
    public bool Ok => Count > 0 && Failed == 0;
}

/// <summary>
/// The proof's yardstick: while and after an attack, a fresh
/// request on a NEW connection must be answered within 2 s. The probe is a
/// well-behaved client: preface, SETTINGS, SETTINGS ACK, one GET with
/// END_STREAM (RFC 9113 §3.4, §8.1); it waits for the response HEADERS on
/// stream 1, decodes every header block in order with the reference HPACK
/// decoder (PUSH_PROMISE blocks included) and wants a 2xx :status.
/// </summary>
public static class Probe
{
    /// <summary>The deadline a fresh request must meet during an attack.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>Runs one probe against <paramref name="endpoint"/>.</summary>
    public static async Task<ProbeResult> OnceAsync(IPEndPoint endpoint, string path)
    {
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(Deadline);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cts.Token);
            var batch = new FrameBatch().Start().Headers(1, Request(path, endpoint), endStream: true);
            var blocks = new ResponseBlocks();
            await socket.SendAsync(batch.Memory, SocketFlags.None, cts.Token);
            var buf = new byte[64 * 1024];
            var have = 0;
            while (true)
            {
                if (have == buf.Length) return Fail(clock, "response frame too large");
                var n = await socket.ReceiveAsync(buf.AsMemory(have), SocketFlags.None, cts.Token);
                if (n == 0) return Fail(clock, "connection closed before response");
                have += n;
                var used = 0;
                for (var reading = true; reading;)
                {
                    switch (FrameReader.Read(buf.AsMemory(used, have - used), 16384))
                    {
                        case FrameRead { Frame: GoAwayFrame g }:
                            return Fail(clock, $"GOAWAY {g.Error.Name}");
                        case FrameRead { Frame: RstStreamFrame { StreamId: 1 } r }:
                            return Fail(clock, $"RST_STREAM {r.Error.Name}");
                        case FrameRead { Frame: var frame, Consumed: var consumed }:
                            used += consumed;
                            switch (blocks.Feed(frame))
                            {
                                case { Push: false, StreamId: 1, Status: >= 200 and < 300 }:
                                    return new ProbeResult(true, clock.ElapsedMilliseconds, "");
                                case { Push: false, StreamId: 1 } b:
                                    return Fail(clock, b.Error is null ? $"status {b.Status}" : $"undecodable response: {b.Error}");
                            }
                            break;
                        case ReadFailed { Error: var e }:
                            return Fail(clock, $"bad frame: {e}");
                        default:
                            reading = false;
                            break;
                    }
                }
                Buffer.BlockCopy(buf, used, buf, 0, have - used);
                have -= used;
            }
        }
        catch (OperationCanceledException)
        {
            return Fail(clock, $"no response within {Deadline.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            return Fail(clock, $"socket: {e.SocketErrorCode}");
        }
    }

    // The probe is an ordinary client, so its request goes through the reference encoder
    // (RFC 7541, nghttp2's choices); the attacks hand-write theirs (Hpack).
    private static byte[] Request(string path, IPEndPoint endpoint) =>
        HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2),
        [
            HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "http"),
            HeaderField.Of(":path", path), HeaderField.Of(":authority", endpoint.ToString()),
        ]).Block;

    private static ProbeResult Fail(Stopwatch clock, string why) => new(false, clock.ElapsedMilliseconds, why);

    /// <summary>
    /// Probes every <paramref name="interval"/> until <paramref name="ct"/> fires;
    /// each probe waits for the previous one, so the server sees one probe at a time.
    /// </summary>
    public static async Task<ProbeSeries> LoopAsync(IPEndPoint endpoint, string path, TimeSpan interval, CancellationToken ct)
    {
        int count = 0, failed = 0;
        long max = 0;
        var first = "";
        while (!ct.IsCancellationRequested)
        {
            var r = await OnceAsync(endpoint, path);
            count++;
            max = Math.Max(max, r.Milliseconds);
            if (!r.Ok)
            {
                failed++;
                if (first.Length == 0) first = r.Detail;
            }
            try
            {
                await Task.Delay(interval, ct);
            }
            catch (OperationCanceledException) { }
        }
        return new ProbeSeries(count, failed, max, first);
    }
}
