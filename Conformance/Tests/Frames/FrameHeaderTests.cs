using Reference;
using Reference.Frames;
using Xunit;

namespace Conformance.Tests.Frames;

public class FrameHeaderTests
{
    [Fact(DisplayName = "RFC 9113 §4.1: the 9-octet header gives Length (24), Type, Flags, R and Stream Identifier (31)")]
    public void HeaderFields()
    {
        var header = FrameHeader.TryParse(Bytes.FromHex("012345 fa 5b 80000007").Span);
        Assert.Equal(new FrameHeader(0x012345, new FrameType(0xfa), 0x5b, 7, ReservedBit: true), header);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: fewer than 9 octets are not a header")]
    public void ShortHeader() => Assert.True(FrameHeader.TryParse(new byte[8]).IsNone);

    [Fact(DisplayName = "RFC 9113 §4.2: a Length above SETTINGS_MAX_FRAME_SIZE is a connection FRAME_SIZE_ERROR from the header alone")]
    public void OversizeFromHeaderAlone()
    {
        var result = FrameReader.Read(Bytes.FromHex("004001 00 00 00000001").Memory, 16_384);
        var failed = Assert.IsType<ReadFailed>(result);
        Assert.Equal(ErrorCode.FrameSizeError, failed.Error.Code);
        Assert.Equal(ErrorScope.Connection, failed.Error.Scope);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: a PING round-trips through writer and reader")]
    public void PingRoundTrip()
    {
        var ping = new PingFrame(false, 0x0102030405060708);
        var bytes = FrameWriter.ToBytes(ping);
        Assert.Equal("000008060000000000 0102030405060708".Replace(" ", ""), Convert.ToHexStringLower(bytes));
        var read = Assert.IsType<FrameRead>(FrameReader.Read(bytes, 16_384));
        Assert.Equal(ping, read.Frame);
        Assert.Equal(17, read.Consumed);
    }
}
