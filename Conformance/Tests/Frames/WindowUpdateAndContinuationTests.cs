using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.9 WINDOW_UPDATE and §6.10 CONTINUATION.</summary>
public class WindowUpdateAndContinuationTests
{
    [Fact(DisplayName = "RFC 9113 §6.9: WINDOW_UPDATE carries a 31-bit increment (reserved bit ignored) on a stream or the connection")]
    public void WindowUpdate()
    {
        Assert.Equal(new WindowUpdateFrame(0, 0x7fffffff), ReadOne("000004 08 00 00000000 ffffffff"));
        Assert.Equal(new WindowUpdateFrame(9, 1000), ReadOne("000004 08 00 00000009 000003e8"));
    }

    [Fact(DisplayName = "RFC 9113 §6.9: an increment of 0 is returned as a frame; its scope (stream or connection error) is the connection's decision")]
    public void ZeroIncrement()
    {
        Assert.Equal(new WindowUpdateFrame(1, 0), ReadOne("000004 08 00 00000001 00000000"));
        Assert.Equal(new WindowUpdateFrame(0, 0), ReadOne("000004 08 00 00000000 80000000"));
    }

    [Theory(DisplayName = "RFC 9113 §6.9: WINDOW_UPDATE with a length other than 4 MUST be a connection error of type FRAME_SIZE_ERROR")]
    [InlineData("000003 08 00 00000000 000001")]
    [InlineData("000005 08 00 00000001 0000000100")]
    public void WindowUpdateLength(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);

    [Fact(DisplayName = "RFC 9113 §6.10: CONTINUATION carries a fragment and END_HEADERS (0x04)")]
    public void Continuation()
    {
        Assert.Equal(new ContinuationFrame(3, Hex("8486"), EndHeaders: true), ReadOne("000002 09 04 00000003 8486"));
        Assert.Equal(new ContinuationFrame(3, Bytes.Empty, EndHeaders: false), ReadOne("000000 09 00 00000003"));
    }

    [Fact(DisplayName = "RFC 9113 §6.10: CONTINUATION on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void ContinuationStreamZero() => Fails("000001 09 04 00000000 82", ErrorCode.ProtocolError, ErrorScope.Connection);
}
