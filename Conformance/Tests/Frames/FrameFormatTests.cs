using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;

namespace Conformance.Tests.Frames;

/// <summary>RFC 9113 §3.4, §4.1 (frame format) and §4.2 (frame size).</summary>
public class FrameFormatTests
{
    [Fact(DisplayName = "RFC 9113 §3.4: the client connection preface is PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n (24 octets)")]
    public void ConnectionPreface()
    {
        Assert.Equal("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a", Convert.ToHexStringLower(FrameConstants.ConnectionPreface));
        Assert.Equal(FrameConstants.ConnectionPrefaceLength, FrameConstants.ConnectionPreface.Length);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: the 9-octet header gives Length (24), Type, Flags, R and Stream Identifier (31)")]
    public void HeaderFields() =>
        Assert.Equal(new FrameHeader(0x012345, new FrameType(0xfa), 0x5b, 7, ReservedBit: true),
            FrameHeader.TryParse(Hex("012345 fa 5b 80000007")));

    [Fact(DisplayName = "RFC 9113 §4.1: fewer than 9 octets are not a header")]
    public void ShortHeader() => Assert.True(FrameHeader.TryParse(new byte[8]).IsNone);

    [Fact(DisplayName = "RFC 9113 §4.1: until 9 octets have arrived the reader needs 9")]
    public void NeedsHeader()
    {
        var frame = Hex("000000 04 01 00000000");
        for (var n = 0; n < 9; n++)
            Assert.Equal(new NeedMore(9), FrameReader.Read(frame.AsMemory(0, n), DefaultMax));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: with the header read, the reader needs 9 + Length octets")]
    public void NeedsPayload()
    {
        var frame = Hex("000008 06 00 00000000 0102030405060708");
        for (var n = 9; n < frame.Length; n++)
            Assert.Equal(new NeedMore(17), FrameReader.Read(frame.AsMemory(0, n), DefaultMax));
        Assert.IsType<FrameRead>(FrameReader.Read(frame, DefaultMax));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: the reader reads only the first frame and reports the octets it consumed")]
    public void ReadsFirstFrameOnly()
    {
        var read = Assert.IsType<FrameRead>(FrameReader.Read(Hex("000000 04 01 00000000  000000 04 01 00000000"), DefaultMax));
        Assert.Equal(SettingsFrame.Acknowledgement, read.Frame);
        Assert.Equal(9, read.Consumed);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: the reserved bit MUST be ignored when receiving")]
    public void ReservedBitIgnored()
    {
        Assert.Equal(new DataFrame(1, Hex("61")), ReadOne("000001 00 00 80000001 61"));
        Assert.Equal(new WindowUpdateFrame(0, 1), ReadOne("000004 08 00 80000000 00000001"));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: the reserved bit MUST remain unset when sending")]
    public void ReservedBitUnsetWhenSending()
    {
        var bytes = FrameWriter.ToBytes(new RstStreamFrame(0x8000_0003, ErrorCode.Cancel));
        Assert.Equal("000004030000000003" + "00000008", Convert.ToHexStringLower(bytes));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: frames of unknown types are kept as opaque frames, not errors, on any stream with any flags")]
    public void UnknownTypesAreNotErrors()
    {
        Assert.Equal(new UnknownFrame(new FrameType(0x0a), 0xff, 0, Hex("0001")), ReadOne("000002 0a ff 00000000 0001"));
        Assert.Equal(new UnknownFrame(new FrameType(0xff), 0, 5, Bytes.Empty), ReadOne("000000 ff 00 00000005"));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: unused flags MUST be ignored on receipt")]
    public void UnusedFlagsIgnored()
    {
        Assert.Equal(new PriorityFrame(3, new PriorityFields(false, 1, 15)), ReadOne("000005 02 ff 00000003 00000001 0f"));
        Assert.Equal(new DataFrame(1, Hex("61"), EndStream: false), ReadOne("000001 00 f6 00000001 61"));
        Assert.Equal(new PingFrame(false, 1), ReadOne("000008 06 fe 00000000 0000000000000001"));
        Assert.Equal(new ContinuationFrame(1, Hex("82"), EndHeaders: false), ReadOne("000001 09 fb 00000001 82"));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: unused flags MUST be left unset when sending")]
    public void UnusedFlagsUnsetWhenSending()
    {
        Assert.Equal(0x00, FrameWriter.ToBytes(new PriorityFrame(3, new PriorityFields(true, 1, 255)))[4]);
        Assert.Equal(0x00, FrameWriter.ToBytes(new RstStreamFrame(3, ErrorCode.Cancel))[4]);
        Assert.Equal(0x00, FrameWriter.ToBytes(new GoAwayFrame(3, ErrorCode.NoError))[4]);
        Assert.Equal(0x00, FrameWriter.ToBytes(new WindowUpdateFrame(3, 1))[4]);
        Assert.Equal(0x09, FrameWriter.ToBytes(new DataFrame(3, Hex("00"), true, LanguageExt.Prelude.Some((byte)0)))[4]);
        Assert.Equal(0x2d, FrameWriter.ToBytes(new HeadersFrame(3, Hex("82"), true, true,
            new PriorityFields(false, 0, 15), LanguageExt.Prelude.Some((byte)0)))[4]);
        Assert.Equal(0x01, FrameWriter.ToBytes(SettingsFrame.Acknowledgement)[4]);
    }

    [Fact(DisplayName = "RFC 9113 §4.2: frames up to 2^14 octets MUST be received at the default SETTINGS_MAX_FRAME_SIZE")]
    public void ReceivesDefaultMaximum()
    {
        var frame = new DataFrame(1, new byte[16_384]);
        var read = Assert.IsType<FrameRead>(FrameReader.Read(FrameWriter.ToBytes(frame), FrameConstants.DefaultMaxFrameSize));
        Assert.Equal(frame, read.Frame);
    }

    [Fact(DisplayName = "RFC 9113 §4.2: a frame exceeding SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR, decided from the header before the payload arrives")]
    public void OversizeFromHeaderAlone()
    {
        var failed = Fails("004001 00 00 00000001", ErrorCode.FrameSizeError, ErrorScope.Connection);
        Assert.Equal("RFC 9113 §4.2", failed.Error.Section);
        Fails("000011 06 00 00000000", ErrorCode.FrameSizeError, ErrorScope.Connection, maxFrameSize: 16);
    }

    [Fact(DisplayName = "RFC 9113 §4.2: the size limit is the local SETTINGS_MAX_FRAME_SIZE, up to 2^24-1")]
    public void LargerLocalMaximum()
    {
        var frame = new DataFrame(1, new byte[20_000]);
        Fails(Convert.ToHexString(FrameWriter.ToBytes(frame)), ErrorCode.FrameSizeError, ErrorScope.Connection);
        Assert.IsType<FrameRead>(FrameReader.Read(FrameWriter.ToBytes(frame), 20_000));
        Assert.IsType<NeedMore>(FrameReader.Read(Hex("ffffff 00 00 00000001"), FrameConstants.MaxMaxFrameSize));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: a payload longer than 2^24-1 octets cannot be written (a caller bug, not input)")]
    public void WriterRejectsUnencodableLength() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.ToBytes(new DataFrame(1, new byte[16_777_216])));

    [Fact(DisplayName = "RFC 9113 §4.1: UnknownFrame and WriteHeader write any type, flags and all 32 bits of the stream id verbatim")]
    public void RawWriting()
    {
        Assert.Equal("000003 06 ff 80000005 010203".Replace(" ", ""),
            Convert.ToHexStringLower(FrameWriter.ToBytes(new UnknownFrame(FrameType.Ping, 0xff, 0x8000_0005, Hex("010203")))));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        FrameWriter.WriteHeader(0x123456, FrameType.Settings, 0x01, 0xffff_ffff, buffer);
        Assert.Equal("123456 04 01 ffffffff".Replace(" ", ""), Convert.ToHexStringLower(buffer.WrittenSpan));
    }
}
