using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.3 PRIORITY and §6.4 RST_STREAM.</summary>
public class PriorityAndRstStreamTests
{
    [Fact(DisplayName = "RFC 9113 §6.3: PRIORITY carries the E bit, a 31-bit Stream Dependency and the Weight octet")]
    public void Priority() =>
        Assert.Equal(new PriorityFrame(3, new PriorityFields(true, 0x7fffffff, 200)), ReadOne("000005 02 00 00000003 ffffffff c8"));

    [Fact(DisplayName = "RFC 9113 §6.3: PRIORITY on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void PriorityStreamZero() => Fails("000005 02 00 00000000 00000001 0f", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.3: PRIORITY with a length other than 5 MUST be a stream error of type FRAME_SIZE_ERROR")]
    [InlineData("000004 02 00 00000003 00000001")]
    [InlineData("000006 02 00 00000003 00000001 0f00")]
    [InlineData("000000 02 00 00000003")]
    public void PriorityLength(string hex)
    {
        var failed = Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Stream);
        Assert.Equal(3u, failed.Error.StreamId);
        Assert.Equal(Hex(hex).Length, failed.Consumed);
    }

    [Fact(DisplayName = "RFC 9113 §6.3, §5.4.2: after a stream error the connection goes on: the next frame is read after Consumed octets")]
    public void StreamErrorSkipsFrame()
    {
        var stream = Hex("000004 02 00 00000003 00000001  000008 06 00 00000000 0000000000000007");
        var failed = Assert.IsType<ReadFailed>(FrameReader.Read(stream, DefaultMax));
        var next = Assert.IsType<FrameRead>(FrameReader.Read(stream.AsMemory(failed.Consumed), DefaultMax));
        Assert.Equal(new PingFrame(false, 7), next.Frame);
    }

    [Fact(DisplayName = "RFC 9113 §6.4, §7: RST_STREAM carries an error code; unknown codes survive")]
    public void RstStream()
    {
        Assert.Equal(new RstStreamFrame(1, ErrorCode.Cancel), ReadOne("000004 03 00 00000001 00000008"));
        Assert.Equal(new RstStreamFrame(1, new ErrorCode(0xdeadbeef)), ReadOne("000004 03 00 00000001 deadbeef"));
    }

    [Fact(DisplayName = "RFC 9113 §6.4: RST_STREAM on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void RstStreamZero() => Fails("000004 03 00 00000000 00000008", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.4: RST_STREAM with a length other than 4 MUST be a connection error of type FRAME_SIZE_ERROR")]
    [InlineData("000003 03 00 00000001 000008")]
    [InlineData("000005 03 00 00000001 0000000800")]
    public void RstStreamLength(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);
}
