using Reference;
using Reference.Frames;
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

/// <summary>RFC 9113 §6.6 PUSH_PROMISE.</summary>
public class PushPromiseFrameTests
{
    [Fact(DisplayName = "RFC 9113 §6.6: PUSH_PROMISE carries the Promised Stream ID (reserved bit ignored) and a fragment")]
    public void PushPromise() =>
        Assert.Equal(new PushPromiseFrame(1, 2, Hex("8287"), EndHeaders: true), ReadOne("000006 05 04 00000001 80000002 8287"));

    [Fact(DisplayName = "RFC 9113 §6.6: PUSH_PROMISE with PADDED")]
    public void Padded() =>
        Assert.Equal(new PushPromiseFrame(1, 4, Hex("82"), EndHeaders: false, Some((byte)1)), ReadOne("000007 05 08 00000001 01 00000004 82 00"));

    [Fact(DisplayName = "RFC 9113 §6.6: PUSH_PROMISE on stream 0 MUST be a connection error of type PROTOCOL_ERROR")]
    public void StreamZero() => Fails("000004 05 04 00000000 00000002", ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §6.6: a pad length that leaves no room for the other fields MUST be a connection PROTOCOL_ERROR")]
    [InlineData("000005 05 0c 00000001 01 00000002")]
    [InlineData("000006 05 0c 00000001 ff 00000002 82")]
    public void PadTooLong(string hex) => Fails(hex, ErrorCode.ProtocolError, ErrorScope.Connection);

    [Theory(DisplayName = "RFC 9113 §4.2: PUSH_PROMISE too short for the Promised Stream ID is a connection FRAME_SIZE_ERROR")]
    [InlineData("000003 05 04 00000001 000002")]
    [InlineData("000004 05 0c 00000001 00 000002")]
    public void TooShort(string hex) => Fails(hex, ErrorCode.FrameSizeError, ErrorScope.Connection);
}

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
