using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.2 HEADERS.</summary>
public class HeadersFrameTests
{
    [Fact(DisplayName = "RFC 9113 §6.2: HEADERS carries a field block fragment, END_STREAM (0x01) and END_HEADERS (0x04)")]
    public void Plain() =>
        Assert.Equal(new HeadersFrame(1, Hex("828684"), EndStream: true, EndHeaders: true), ReadOne("000003 01 05 00000001 828684"));

    [Fact(DisplayName = "RFC 9113 §6.2: without END_HEADERS the block continues (EndHeaders false)")]
    public void NotEndHeaders() =>
        Assert.Equal(new HeadersFrame(1, Hex("82"), EndStream: false, EndHeaders: false), ReadOne("000001 01 00 00000001 82"));

    [Fact(DisplayName = "RFC 9113 §6.2: with PRIORITY (0x20) the E bit, Stream Dependency and Weight precede the fragment")]
    public void Priority() =>
        Assert.Equal(new HeadersFrame(13, Hex("8286"), true, true, new PriorityFields(true, 11, 15)),
            ReadOne("000007 01 25 0000000d 8000000b 0f 8286"));

    [Fact(DisplayName = "RFC 9113 §6.2: PADDED and PRIORITY together: Pad Length, priority fields, fragment, padding")]
    public void PaddedAndPriority() =>
        Assert.Equal(new HeadersFrame(3, Hex("82"), false, true, new PriorityFields(false, 1, 200), Some((byte)2)),
            ReadOne("000009 01 2c 00000003 02 00000001 c8 82 0000"));

    [Fact(DisplayName = "RFC 9113 §6.2: HEADERS on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void StreamZero() => Fails("000001 01 04 00000000 82", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.2: padding that leaves no room for the other fields MUST be a connection PROTOCOL_ERROR")]
    [InlineData("000003 01 0c 00000001 03 8282")]
    [InlineData("000007 01 2c 00000001 02 00000001 0f 82")]
    [InlineData("000006 01 2c 00000001 01 00000001 0f")]
    public void PadTooLong(string hex) =>
        Assert.Equal("RFC 9113 §6.2", Fails(hex, ErrorCode.ProtocolError, ErrorScope.Connection).Error.Section);

    [Fact(DisplayName = "RFC 9113 §6.2: padding that exactly fills the remainder is valid (empty fragment)")]
    public void PadFillsRemainder() =>
        Assert.Equal(new HeadersFrame(1, Bytes.Empty, false, true, new PriorityFields(false, 1, 15), Some((byte)1)),
            ReadOne("000007 01 2c 00000001 01 00000001 0f 00"));

    [Theory(DisplayName = "RFC 9113 §4.2: HEADERS too short for its priority fields is a connection FRAME_SIZE_ERROR (it carries a field block)")]
    [InlineData("000004 01 24 00000001 00000001")]
    [InlineData("000005 01 2c 00000001 00 00000001")]
    [InlineData("000000 01 0c 00000001")]
    public void TooShort(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);
}
