using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>
/// The nghttp -v rendering. Expected texts are lines printed by nghttp
/// 1.52.0 (Debian nghttp2-client) in a session with nghttpd.
/// </summary>
public class FrameFormatterTests
{
    private const string I = FrameFormatter.DefaultIndent;

    [Fact(DisplayName = "nghttp -v: SETTINGS lists niv and each [NAME(0xid):value]")]
    public void Settings() => Assert.Equal(
        "SETTINGS frame <length=12, flags=0x00, stream_id=0>\n" +
        I + "(niv=2)\n" +
        I + "[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]\n" +
        I + "[SETTINGS_INITIAL_WINDOW_SIZE(0x04):65535]",
        FrameFormatter.Format(new SettingsFrame(false, Seq(new Setting(SettingId.MaxConcurrentStreams, 100), new Setting(SettingId.InitialWindowSize, 65535)))));

    [Fact(DisplayName = "nghttp -v: SETTINGS ACK")]
    public void SettingsAck() => Assert.Equal(
        "SETTINGS frame <length=0, flags=0x01, stream_id=0>\n" + I + "; ACK\n" + I + "(niv=0)",
        FrameFormatter.Format(SettingsFrame.Acknowledgement));

    [Fact(DisplayName = "nghttp -v: PRIORITY prints the weight (octet + 1)")]
    public void Priority() => Assert.Equal(
        "PRIORITY frame <length=5, flags=0x00, stream_id=3>\n" + I + "(dep_stream_id=0, weight=201, exclusive=0)",
        FrameFormatter.Format(new PriorityFrame(3, new PriorityFields(false, 0, 200))));

    [Fact(DisplayName = "nghttp -v: HEADERS with END_STREAM | END_HEADERS | PRIORITY")]
    public void Headers() => Assert.Equal(
        "HEADERS frame <length=39, flags=0x25, stream_id=13>\n" +
        I + "; END_STREAM | END_HEADERS | PRIORITY\n" +
        I + "(padlen=0, dep_stream_id=11, weight=16, exclusive=0)",
        FrameFormatter.Format(new HeadersFrame(13, new byte[34], true, true, new PriorityFields(false, 11, 15))));

    [Fact(DisplayName = "nghttp -v: padded DATA prints padlen including the Pad Length octet")]
    public void PaddedData() => Assert.Equal(
        "DATA frame <length=6, flags=0x09, stream_id=13>\n" + I + "; END_STREAM | PADDED\n" + I + "(padlen=3)",
        FrameFormatter.Format(new DataFrame(13, Bytes.FromUtf8("ab\n"), true, Some((byte)2))));

    [Fact(DisplayName = "nghttp -v: GOAWAY")]
    public void GoAway() => Assert.Equal(
        "GOAWAY frame <length=8, flags=0x00, stream_id=0>\n" + I + "(last_stream_id=0, error_code=NO_ERROR(0x00), opaque_data(0)=[])",
        FrameFormatter.Format(new GoAwayFrame(0, ErrorCode.NoError)));

    [Fact(DisplayName = "nghttp -v: RST_STREAM, PING, WINDOW_UPDATE, PUSH_PROMISE, unknown codes and types")]
    public void Others()
    {
        Assert.Equal("RST_STREAM frame <length=4, flags=0x00, stream_id=1>\n" + I + "(error_code=PROTOCOL_ERROR(0x01))",
            FrameFormatter.Format(new RstStreamFrame(1, ErrorCode.ProtocolError)));
        Assert.Equal("PING frame <length=8, flags=0x01, stream_id=0>\n" + I + "; ACK\n" + I + "(opaque_data=0102030405060708)",
            FrameFormatter.Format(new PingFrame(true, 0x0102030405060708)));
        Assert.Equal("WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=0>\n" + I + "(window_size_increment=1073741823)",
            FrameFormatter.Format(new WindowUpdateFrame(0, 1073741823)));
        Assert.Equal("PUSH_PROMISE frame <length=6, flags=0x04, stream_id=13>\n" + I + "; END_HEADERS\n" + I + "(padlen=0, promised_stream_id=2)",
            FrameFormatter.Format(new PushPromiseFrame(13, 2, new byte[2])));
        Assert.Equal("GOAWAY frame <length=9, flags=0x00, stream_id=0>\n" + I + "(last_stream_id=7, error_code=UNKNOWN(0xdead), opaque_data(1)=[\\x00])",
            FrameFormatter.Format(new GoAwayFrame(7, new ErrorCode(0xdead), new byte[1])));
        Assert.Equal("UNKNOWN(0xfa) frame <length=1, flags=0x80, stream_id=5>\n" + I + "; 0x80\n" + I + "(payload(1)=ff)",
            FrameFormatter.Format(new UnknownFrame(new FrameType(0xfa), 0x80, 5, new byte[] { 0xff })));
    }

    [Fact(DisplayName = "nghttp -v: with the received header, unknown flag bits are shown after the named ones")]
    public void ReceivedFlags()
    {
        var bytes = Hex("000001 00 41 00000001 61");
        var header = FrameHeader.TryParse(bytes).IfNone(default(FrameHeader));
        var frame = ReadOne("000001 00 41 00000001 61");
        Assert.Equal("DATA frame <length=1, flags=0x41, stream_id=1>\n" + I + "; END_STREAM | 0x40", FrameFormatter.Format(header, frame));
    }
}
