using System.Buffers;
using BenchmarkDotNet.Attributes;
using Reference;
using Reference.Frames;
using Reference.Hpack;
using Reference.Protocol;

namespace Benchmarks;

/// <summary>
/// The pure path of the server (issue 3, "Speed"): the octets of a recorded
/// h2load-like session — preface, SETTINGS, then many small GET requests, each
/// one HEADERS frame with END_STREAM, 100 per read as h2load -m 100 sends
/// them — go through Connection.Receive; every request is answered with a
/// small response (HEADERS + one DATA frame with END_STREAM) through
/// Connection.Step, and the frames are serialized with the frame writer.
/// One operation = one request; BenchmarkDotNet's time per operation is
/// 1 / (requests per second) and its allocated bytes are per request.
/// </summary>
[MemoryDiagnoser]
public class ConnectionBenchmarks
{
    private const int Batch = 100;
    private const int Batches = 100;
    public const int Requests = Batch * Batches;

    private byte[] handshake = [];
    private byte[][] reads = [];
    private readonly ArrayBufferWriter<byte> wire = new(1 << 20);
    private static readonly IReadOnlyList<HeaderField> Response =
        [HeaderField.Of(":status", "200"), HeaderField.Of("content-type", "text/plain"), HeaderField.Of("content-length", "13")];
    private static readonly Bytes Body = Bytes.FromUtf8("Hello, world\n");

    [GlobalSetup]
    public void Setup()
    {
        // The client side, recorded once: h2load's request fields, encoded with nghttp2's HPACK strategy.
        var encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
        IReadOnlyList<HeaderField> request =
        [
            HeaderField.Of(":method", "GET"), HeaderField.Of(":path", "/"), HeaderField.Of(":scheme", "http"),
            HeaderField.Of(":authority", "127.0.0.1:8080"), HeaderField.Of("user-agent", "h2load nghttp2/1.64.0"),
        ];
        handshake = [.. Connection.ClientPreface.ToArray(),
            .. FrameWriter.ToBytes([new SettingsFrame(false, [new Setting(SettingId.MaxConcurrentStreams, 100), new Setting(SettingId.InitialWindowSize, 65535)]),
                new WindowUpdateFrame(0, (1u << 30) - 65535), SettingsFrame.Acknowledgement])]; // h2load opens the connection window to 2^30-1
        reads = new byte[Batches][];
        uint id = 1;
        for (var b = 0; b < Batches; b++)
        {
            var frames = new List<Frame>(Batch);
            for (var i = 0; i < Batch; i++, id += 2)
            {
                var (e, block) = HpackEncoder.Encode(encoder, request);
                encoder = e;
                frames.Add(new HeadersFrame(id, block, EndStream: true));
            }
            reads[b] = FrameWriter.ToBytes(frames);
        }
    }

    /// <summary>One whole session; reported per request.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int Session()
    {
        var now = TimeSpan.Zero;
        var r = Connection.Start(ConnectionOptions.Server, now);
        var state = Write(r);
        state = Write(Connection.Receive(state, handshake, now));
        var answered = 0;
        foreach (var read in reads)
        {
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = Connection.Receive(state, read, now);
            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            ReceiveTicks += t1 - t0;
            state = Write(result);
            WriteTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t1;
            foreach (var o in result.Outputs)
            {
                if (o is not HeadersReceived h) continue;
                var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
                var r1 = Connection.Step(state, new SendHeaders(h.StreamId, Response, false), now);
                var t3 = System.Diagnostics.Stopwatch.GetTimestamp();
                HeadersTicks += t3 - t2;
                state = Write(r1);
                var t4 = System.Diagnostics.Stopwatch.GetTimestamp();
                WriteTicks += t4 - t3;
                var r2 = Connection.Step(state, new SendData(h.StreamId, Body, true), now);
                var t5 = System.Diagnostics.Stopwatch.GetTimestamp();
                DataTicks += t5 - t4;
                state = Write(r2);
                WriteTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t5;
                answered++;
            }
            state = Connection.Step(state, OutputFlushed.Instance, now).State;
            wire.ResetWrittenCount();
        }
        if (answered != Requests) throw new InvalidOperationException($"answered {answered} of {Requests}");
        return answered;
    }

    public static long ReceiveTicks, HeadersTicks, DataTicks, WriteTicks;

    private ConnectionState Write(ConnectionResult r)
    {
        foreach (var o in r.Outputs)
            if (o is SendFrame f) FrameWriter.Write(f.Frame, wire);
        return r.State;
    }
}
