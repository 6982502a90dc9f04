using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.1 DATA.</summary>
public class DataFrameTests
{
    [Fact(DisplayName = "RFC 9113 §6.1: DATA carries its octets and END_STREAM (0x01)")]
    public void Plain() =>
        Assert.Equal(new DataFrame(1, Bytes.FromUtf8("hello"), EndStream: true), ReadOne("000005 00 01 00000001 68656c6c6f"));

    [Fact(DisplayName = "RFC 9113 §6.1: with PADDED (0x08) the Pad Length octet and the padding are removed from the data")]
    public void Padded()
    {
        var data = Read<DataFrame>("000008 00 08 00000003 02 68656c6c6f 0000");
        Assert.Equal(new DataFrame(3, Bytes.FromUtf8("hello"), false, Some((byte)2)), data);
        Assert.Equal(8, data.FlowControlledLength);
    }

    [Fact(DisplayName = "RFC 9113 §6.1: padding may take the whole payload after the Pad Length octet (empty data)")]
    public void PaddingFillsPayload() =>
        Assert.Equal(new DataFrame(1, Bytes.Empty, false, Some((byte)3)), ReadOne("000004 00 08 00000001 03 000000"));

    [Fact(DisplayName = "RFC 9113 §6.1: a receiver is not obligated to verify padding: non-zero padding is accepted")]
    public void NonZeroPaddingAccepted() =>
        Assert.Equal(new DataFrame(1, Hex("61"), false, Some((byte)1)), ReadOne("000003 00 08 00000001 01 61 ff"));

    [Fact(DisplayName = "RFC 9113 §6.1: padding octets MUST be set to zero when sending")]
    public void PaddingZeroWhenSending() =>
        Assert.Equal("000005 00 08 00000001 03 61 000000".Replace(" ", ""),
            Convert.ToHexStringLower(FrameWriter.ToBytes(new DataFrame(1, Hex("61"), false, Some((byte)3)))));

    [Fact(DisplayName = "RFC 9113 §6.1: DATA on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void StreamZero() => Fails("000001 00 00 00000000 61", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.1: a pad length equal to or greater than the payload MUST be a connection PROTOCOL_ERROR")]
    [InlineData("000004 00 08 00000001 04 000000")]
    [InlineData("000004 00 08 00000001 ff 000000")]
    [InlineData("000001 00 08 00000001 01")]
    public void PadTooLong(string hex)
    {
        var failed = Fails(hex, ErrorCode.ProtocolError, ErrorScope.Connection);
        Assert.Equal("RFC 9113 §6.1", failed.Error.Section);
    }

    [Fact(DisplayName = "RFC 9113 §4.2, §6.1: PADDED DATA without room for the Pad Length octet is a FRAME_SIZE_ERROR")]
    public void PaddedEmpty() => Fails("000000 00 08 00000001", ErrorCode.FrameSizeError, ErrorScope.Connection);
}
