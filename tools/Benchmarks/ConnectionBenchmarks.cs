using System.Buffers;
using BenchmarkDotNet.Attributes;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Benchmarks;

/// <summary>
/// The pure path of the server (its speed per request): the octets of a recorded
/// h2load-like session — preface, SETTINGS, then many small GET requests, each
/// one HEADERS frame with END_STREAM, 100 per read as h2load -m 100 sends
/// them — go through Connection.Receive; every request is answered with a
/// small response (HEADERS + one DATA frame with END_STREAM) through
/// Connection.Step, and the frames are serialized with the frame writer.
/// One operation = one request; BenchmarkDotNet's time per operation is
/// 1 / (requests per second) and its allocated bytes are per request.
/// The response fields are constants of the application (the same objects
/// every time, as a server's usual fields are; see <see cref="SessionNewResponseFields"/>
/// for new objects per response); the request fields come out of the HPACK
/// tables, as they do for a real client's repeated requests.
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
    /// <summary>h2load's request fields.</summary>
    public static readonly IReadOnlyList<HeaderField> Request =
    [
        HeaderField.Of(":method", "GET"), HeaderField.Of(":path", "/"), HeaderField.Of(":scheme", "http"),
        HeaderField.Of(":authority", "127.0.0.1:8080"), HeaderField.Of("user-agent", "h2load nghttp2/1.64.0"),
    ];

    /// <summary>The response's fields.</summary>
    public static readonly IReadOnlyList<HeaderField> Response =
        [HeaderField.Of(":status", "200"), HeaderField.Of("content-type", "text/plain"), HeaderField.Of("content-length", "13")];
    private static readonly Bytes Body = Bytes.FromUtf8("Hello, world\n");

    [GlobalSetup]
    public void Setup()
    {
        // The client side, recorded once: h2load's request fields, encoded with nghttp2's HPACK strategy.
        var encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
        var request = Request;
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

    /// <summary>
    /// One whole session, the shell batching each read's responses into one
    /// <see cref="Connection.StepAll"/> call; reported per request.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int Session() => Run(batched: true);

    /// <summary>The same session with one <see cref="Connection.Step"/> call per command.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int SessionStepByStep() => Run(batched: false);

    /// <summary>
    /// The same session where every response is made of new field objects (as
    /// a handler that builds its fields per response does): the encoder and
    /// the §8.1.1 check cannot reuse what they learnt about the constant
    /// fields of <see cref="Session"/> (a field remembers its hashes and verdicts).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int SessionNewResponseFields() => Run(batched: true, newFields: true);

    private int Run(bool batched, bool newFields = false)
    {
        var now = TimeSpan.Zero;
        var state = Write(Connection.Start(ConnectionOptions.Server, now));
        state = Write(Connection.Receive(state, handshake, now));
        var answered = 0;
        var commands = new List<ConnectionCommand>(2 * Batch + 1);
        foreach (var read in reads)
        {
            var result = Connection.Receive(state, read, now);
            state = Write(result);
            commands.Clear();
            foreach (var o in result.Outputs)
            {
                if (o is not HeadersReceived h) continue;
                commands.Add(new SendHeaders(h.StreamId, newFields ? [.. Response.Select(f => new HeaderField(f.Name, f.Value))] : Response, false));
                commands.Add(new SendData(h.StreamId, Body, true));
                answered++;
            }
            commands.Add(MarkFlushed.Instance);
            if (batched) state = Write(Connection.StepAll(state, commands, now));
            else foreach (var c in commands) state = Write(Connection.Step(state, c, now));
            wire.ResetWrittenCount();
        }
        if (answered != Requests) throw new InvalidOperationException($"answered {answered} of {Requests}");
        return answered;
    }

    private ConnectionState Write(ConnectionResult r)
    {
        foreach (var o in r.Outputs)
            if (o is FrameReady f) FrameWriter.Write(f.Frame, wire);
        return r.State;
    }
}
