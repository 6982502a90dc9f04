using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

public class PrefaceAndSettingsTests
{
    [Fact(DisplayName = "RFC 9113 §3.4: the server's first frame is SETTINGS (with the server's resource limits), then a connection WINDOW_UPDATE")]
    public void ServerPrefaceIsSettings()
    {
        var r = Connection.Start(ConnectionOptions.Server, TimeSpan.Zero);
        var frames = r.Outputs.Frames().ToList();
        var settings = Assert.IsType<SettingsFrame>(frames[0]);
        Assert.False(settings.Ack);
        Assert.Contains(new Setting(SettingId.MaxConcurrentStreams, 100), settings.Settings);
        Assert.Contains(new Setting(SettingId.MaxHeaderListSize, 32 * 1024), settings.Settings);
        Assert.Contains(new Setting(SettingId.EnablePush, 0), settings.Settings);
        var wu = Assert.IsType<WindowUpdateFrame>(frames[1]);
        Assert.Equal(0u, wu.StreamId);
        Assert.Equal((uint)(1024 * 1024 - 65535), wu.Increment);
        Assert.Equal(ConnectionPhase.AwaitingPreface, r.State.Phase);
    }

    [Fact(DisplayName = "RFC 9113 §3.4: an invalid connection preface is a connection PROTOCOL_ERROR (detected at the first wrong octet)")]
    public void BadPreface()
    {
        var s = new Server(handshake: false);
        var o = s.Bytes("GET / HTTP/1.1\r\n"u8.ToArray());
        o.GoAway(ErrorCode.ProtocolError);
        Assert.Equal(ConnectionPhase.Closed, s.State.Phase);
    }

    [Fact(DisplayName = "RFC 9113 §3.4: the preface may arrive in pieces")]
    public void PrefaceInPieces()
    {
        var s = new Server(handshake: false);
        var preface = Connection.ClientPreface.ToArray();
        foreach (var b in preface) s.Bytes([b]);
        Assert.Equal(ConnectionPhase.AwaitingSettings, s.State.Phase);
        s.Feed(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty)).Frames().OfType<SettingsFrame>().Single(f => f.Ack);
        Assert.Equal(ConnectionPhase.Open, s.State.Phase);
    }

    [Fact(DisplayName = "RFC 9113 §3.4: the client preface MUST be followed by SETTINGS; any other first frame is a PROTOCOL_ERROR")]
    public void FirstFrameMustBeSettings()
    {
        var s = new Server(handshake: false);
        var o = s.Bytes(Server.Concat(Connection.ClientPreface.ToArray(), FrameWriter.ToBytes(new PingFrame(false, 1))));
        o.GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.3: a SETTINGS frame is acknowledged with an empty SETTINGS ACK")]
    public void SettingsAcked()
    {
        var s = new Server();
        var o = s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.MaxFrameSize, 20000))));
        Assert.Contains(SettingsFrame.Acknowledgement, o.Frames());
        Assert.Equal(20000u, s.State.PeerSettings.MaxFrameSize);
    }

    [Theory(DisplayName = "RFC 9113 §6.5.2: invalid SETTINGS values are connection errors of the right type")]
    [InlineData(0x2, 2u, 0x1)]
    [InlineData(0x4, 0x80000000u, 0x3)]
    [InlineData(0x5, 16383u, 0x1)]
    [InlineData(0x5, 16777216u, 0x1)]
    public void InvalidSettings(ushort id, uint value, uint code)
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(new SettingId(id), value)))).GoAway(new ErrorCode(code));
    }

    [Fact(DisplayName = "RFC 9113 §6.5.2: boundary values are accepted (MAX_FRAME_SIZE 2^14 and 2^24-1, INITIAL_WINDOW_SIZE 2^31-1, ENABLE_PUSH 1)")]
    public void BoundarySettings()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq(new Setting(SettingId.MaxFrameSize, 16384), new Setting(SettingId.MaxFrameSize, 16777215),
            new Setting(SettingId.InitialWindowSize, int.MaxValue), new Setting(SettingId.EnablePush, 1)))).NoError();
        Assert.Equal(16777215u, s.State.PeerSettings.MaxFrameSize);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.2: unknown setting identifiers MUST be ignored")]
    public void UnknownSettingIgnored()
    {
        var s = new Server();
        var before = s.State.PeerSettings;
        var o = s.Feed(new SettingsFrame(false, Seq1(new Setting(new SettingId(0xff), 7))));
        o.NoError();
        Assert.Contains(SettingsFrame.Acknowledgement, o.Frames());
        Assert.Equal(before, s.State.PeerSettings);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.3: our SETTINGS take effect when the peer acknowledges them")]
    public void LocalSettingsEffectiveOnAck()
    {
        var s = new Server(ack: false);
        Assert.Equal(Http2Settings.Initial.MaxConcurrentStreams, s.State.LocalSettings.MaxConcurrentStreams);
        var o = s.Feed(SettingsFrame.Acknowledgement);
        Assert.Equal(100u, s.State.LocalSettings.MaxConcurrentStreams);
        Assert.Contains(o, x => x is SettingsAcknowledged);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.3: SETTINGS not acknowledged in time is a connection error SETTINGS_TIMEOUT (5 s, at and just below)")]
    public void SettingsAckTimeout()
    {
        var s = new Server(ack: false);
        s.Tick(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1)).NoError();
        s.Tick(TimeSpan.FromMilliseconds(1)).GoAway(ErrorCode.SettingsTimeout);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: the preface and first SETTINGS must arrive within 10 s (below, at)")]
    public void PrefaceTimeout()
    {
        var s = new Server(ConnectionOptions.Server with { Timeouts = new() { SettingsAck = TimeSpan.FromMinutes(1) } }, handshake: false);
        Assert.Contains(s.All, x => x is TimerRequested);
        s.Tick(TimeSpan.FromSeconds(9.999)).NoError();
        s.Tick(TimeSpan.FromMilliseconds(1)).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.7: PING is answered with PING ACK carrying the same payload")]
    public void PingAnswered()
    {
        var s = new Server();
        var o = s.Feed(new PingFrame(false, 0x0102030405060708));
        Assert.Contains(new PingFrame(true, 0x0102030405060708), o.Frames());
    }

    [Fact(DisplayName = "RFC 9113 §6.7: a PING ACK is not answered; it is reported to the application")]
    public void PingAckNotAnswered()
    {
        var s = new Server();
        var o = s.Feed(new PingFrame(true, 42));
        Assert.Empty(o.Frames());
        Assert.Contains(new PingAnswered(42), o);
    }
}
