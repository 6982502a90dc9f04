using System.Buffers;
using BenchmarkDotNet.Attributes;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Benchmarks;

/// <summary>
/// The steps of one request of <see cref="ConnectionBenchmarks"/>, each on its
/// own, to show where its time goes: reading the HEADERS frame, decoding its
/// block (all fields indexed after the first request, as h2load sends them),
/// the §8 request checks, encoding the response's fields, checking them
/// (§8.1.1: we must not send a malformed response either), and writing the
/// response's two frames.
/// </summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks
{
    private static readonly IReadOnlyList<HeaderField> Request = ConnectionBenchmarks.Request;
    private static readonly IReadOnlyList<HeaderField> Response = ConnectionBenchmarks.Response;

    private DecoderState decoder = null!;
    private EncoderState encoder = null!;
    private byte[] block = [];
    private byte[] headersFrame = [];
    private readonly DecoderLimits limits = new(65536, 100, 131072);
    private readonly ArrayBufferWriter<byte> output = new(4096);
    private readonly Frame[] responseFrames = [new HeadersFrame(1, new byte[] { 0x88, 0xc0, 0x5c, 0x82, 0x10, 0x1f }, false), new DataFrame(1, Bytes.FromUtf8("Hello, world\n"), true)];

    [GlobalSetup]
    public void Setup()
    {
        // The state after the first request: the client's second block is all indexed.
        var clientEncoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
        (clientEncoder, var first) = HpackEncoder.Encode(clientEncoder, Request);
        (_, block) = HpackEncoder.Encode(clientEncoder, Request);
        decoder = HpackDecoder.Decode(DecoderState.Initial(4096), first, limits).Match(d => d.State, e => throw new InvalidOperationException(e.ToString()));
        // The state a connection holds from its second response on: the fields are in the
        // table and the block that found them all there is remembered (RFC 7541 §6: the same
        // field objects against an unchanged table give the same octets).
        encoder = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096), Response, output);
        output.ResetWrittenCount();
        encoder = HpackEncoder.Encode(encoder, Response, output);
        headersFrame = FrameWriter.ToBytes(new HeadersFrame(3, block, EndStream: true));
    }

    [Benchmark(Description = "read the HEADERS frame")]
    public object ReadFrame() => FrameReader.Read(headersFrame, 16384);

    [Benchmark(Description = "HPACK decode request")]
    public object Decode() => HpackDecoder.Decode(decoder, block, limits).Match(static d => (object)d, static e => e);

    [Benchmark(Description = "§8 request checks")]
    public object CheckRequest() => FieldValidation.CheckRequest(Request, true).Match(static h => (object)h, static m => m);

    [Benchmark(Description = "HPACK encode response (the same field objects again)")]
    public object Encode()
    {
        output.ResetWrittenCount();
        return HpackEncoder.Encode(encoder, Response, output);
    }

    [Benchmark(Description = "HPACK encode response (new field objects, made here)")]
    public object EncodeNewFields()
    {
        output.ResetWrittenCount();
        return HpackEncoder.Encode(encoder, [.. Response.Select(static f => new HeaderField(f.Name, f.Value))], output);
    }

    [Benchmark(Description = "§8 response checks")]
    public object CheckResponse() => FieldValidation.CheckResponse(Response, false).Match(static h => (object)h, static m => m);

    [Benchmark(Description = "write HEADERS + DATA")]
    public int WriteFrames()
    {
        output.ResetWrittenCount();
        foreach (var f in responseFrames) FrameWriter.Write(f, output);
        return output.WrittenCount;
    }
}
