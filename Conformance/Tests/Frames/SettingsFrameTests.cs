using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §6.5 SETTINGS.</summary>
public class SettingsFrameTests
{
    [Fact(DisplayName = "RFC 9113 §6.5.1: SETTINGS is a list of 16-bit identifiers and 32-bit values, in order, unknown ids and repeats kept")]
    public void Settings() =>
        Assert.Equal(
            new SettingsFrame(false, Seq(
                new Setting(SettingId.MaxConcurrentStreams, 100),
                new Setting(new SettingId(0xabcd), 0xffffffff),
                new Setting(SettingId.MaxConcurrentStreams, 7))),
            ReadOne("000012 04 00 00000000 0003 00000064 abcd ffffffff 0003 00000007"));

    [Fact(DisplayName = "RFC 9113 §6.5: an empty SETTINGS frame is valid")]
    public void Empty() => Assert.Equal(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty), ReadOne("000000 04 00 00000000"));

    [Fact(DisplayName = "RFC 9113 §6.5: values are not judged by the codec (ENABLE_PUSH=2 is the connection's PROTOCOL_ERROR, §6.5.2)")]
    public void ValuesNotValidated() =>
        Assert.Equal(new SettingsFrame(false, Seq1(new Setting(SettingId.EnablePush, 2))), ReadOne("000006 04 00 00000000 0002 00000002"));

    [Fact(DisplayName = "RFC 9113 §6.5: SETTINGS with ACK (0x01) and an empty payload is an acknowledgement")]
    public void Ack() => Assert.Equal(SettingsFrame.Acknowledgement, ReadOne("000000 04 01 00000000"));

    [Theory(DisplayName = "RFC 9113 §6.5: SETTINGS with ACK and a length other than 0 MUST be a connection error of type FRAME_SIZE_ERROR")]
    [InlineData("000006 04 01 00000000 0003 00000064")]
    [InlineData("000001 04 01 00000000 00")]
    public void AckWithPayload(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.5: SETTINGS with a length other than a multiple of 6 MUST be a connection error of type FRAME_SIZE_ERROR")]
    [InlineData("000003 04 00 00000000 000300")]
    [InlineData("000007 04 00 00000000 0003 00000064 00")]
    public void NotMultipleOfSix(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.5: SETTINGS on a stream other than 0 MUST be a connection error of type PROTOCOL_ERROR")]
    [InlineData("000000 04 01 00000001")]
    [InlineData("000006 04 00 00000003 0003 00000064")]
    public void NonZeroStream(string hex) => Fails(hex, ErrorCode.ProtocolError, ErrorScope.Connection);
}
