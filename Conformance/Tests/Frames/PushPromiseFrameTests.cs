using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Frames.Wire;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

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
