using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.7 PING and §6.8 GOAWAY.</summary>
public class PingAndGoAwayTests
{
    [Fact(DisplayName = "RFC 9113 §6.7: PING carries 8 opaque octets and ACK (0x01)")]
    public void Ping()
    {
        Assert.Equal(new PingFrame(false, 0x0102030405060708), ReadOne("000008 06 00 00000000 0102030405060708"));
        Assert.Equal(new PingFrame(true, ulong.MaxValue), ReadOne("000008 06 01 00000000 ffffffffffffffff"));
    }

    [Fact(DisplayName = "RFC 9113 §6.7: PING on a stream other than 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void PingStream() => Fails("000008 06 00 00000001 0000000000000000", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.7: PING with a length other than 8 MUST be a connection error of type FRAME_SIZE_ERROR")]
    [InlineData("000007 06 00 00000000 00000000000000")]
    [InlineData("000009 06 00 00000000 000000000000000000")]
    [InlineData("000000 06 01 00000000")]
    public void PingLength(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);

    [Fact(DisplayName = "RFC 9113 §6.8, §7: GOAWAY carries Last-Stream-ID (reserved bit ignored), an open error code and debug data")]
    public void GoAway()
    {
        Assert.Equal(new GoAwayFrame(5, ErrorCode.ProtocolError, Bytes.FromUtf8("bad")), ReadOne("00000b 07 00 00000000 80000005 00000001 626164"));
        Assert.Equal(new GoAwayFrame(0, new ErrorCode(0xff)), ReadOne("000008 07 00 00000000 00000000 000000ff"));
    }

    [Fact(DisplayName = "RFC 9113 §6.8: GOAWAY on a stream other than 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void GoAwayStream() => Fails("000008 07 00 00000001 00000000 00000000", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Fact(DisplayName = "RFC 9113 §4.2, §6.8: GOAWAY shorter than its 8 mandatory octets is a connection FRAME_SIZE_ERROR")]
    public void GoAwayShort() => Fails("000007 07 00 00000000 00000000 000000", ErrorCode.FrameSizeError, ErrorScope.Connection);
}
