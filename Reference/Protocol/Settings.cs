using LanguageExt;
using Http2.Reference.Frames;

namespace Http2.Reference.Protocol;

/// <summary>
/// The six parameters of RFC 9113 §6.5.2 as one value. Each endpoint has
/// two: the values it advertised (which bind the peer once acknowledged) and
/// the values the peer advertised (which bind it). Unlimited values
/// (MAX_CONCURRENT_STREAMS, MAX_HEADER_LIST_SIZE) are <see cref="uint.MaxValue"/>.
/// </summary>
/// <param name="HeaderTableSize">SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the sender's decoder allows.</param>
/// <param name="EnablePush">SETTINGS_ENABLE_PUSH: whether the sender accepts PUSH_PROMISE.</param>
/// <param name="MaxConcurrentStreams">SETTINGS_MAX_CONCURRENT_STREAMS: streams the sender lets its peer open.</param>
/// <param name="InitialWindowSize">SETTINGS_INITIAL_WINDOW_SIZE: the initial stream receive window, at most 2^31-1.</param>
/// <param name="MaxFrameSize">SETTINGS_MAX_FRAME_SIZE: the largest frame payload the sender accepts, 2^14..2^24-1.</param>
/// <param name="MaxHeaderListSize">SETTINGS_MAX_HEADER_LIST_SIZE: the largest field section (RFC 9113 §6.5.2 size) the sender accepts.</param>
public sealed record Http2Settings(
    uint HeaderTableSize,
    bool EnablePush,
    uint MaxConcurrentStreams,
    uint InitialWindowSize,
    uint MaxFrameSize,
    uint MaxHeaderListSize)
{
    /// <summary>2^31-1, the largest window and the largest SETTINGS_INITIAL_WINDOW_SIZE (§6.5.2, §6.9.1).</summary>
    public const uint MaxWindowSize = int.MaxValue;

    /// <summary>2^14, the initial and smallest SETTINGS_MAX_FRAME_SIZE (§6.5.2).</summary>
    public const uint MinMaxFrameSize = 1 << 14;

    /// <summary>2^24-1, the largest SETTINGS_MAX_FRAME_SIZE (§6.5.2).</summary>
    public const uint MaxMaxFrameSize = (1 << 24) - 1;

    /// <summary>
    /// The initial values every endpoint assumes for its peer until the
    /// peer's first SETTINGS arrives (§6.5.2): 4096, push enabled, unlimited
    /// streams, 65535, 16384, unlimited list size.
    /// </summary>
    public static readonly Http2Settings Initial = new(4096, true, uint.MaxValue, 65535, MinMaxFrameSize, uint.MaxValue);

    /// <summary>
    /// What our server advertises (as the seed's server, nghttp2,
    /// Kestrel, Go): at most 100 concurrent streams, 65535-octet stream
    /// windows, a 4096-octet HPACK table, 16384-octet frames, a 32 KiB
    /// header list, and no push towards us (a server never accepts pushes;
    /// §8.4: a server MUST NOT set ENABLE_PUSH to 1, so it is sent as 0).
    /// </summary>
    public static readonly Http2Settings ServerDefaults = new(4096, false, 100, 65535, MinMaxFrameSize, 32 * 1024);

    /// <summary>What the test client advertises: push disabled, otherwise the server's limits.</summary>
    public static readonly Http2Settings ClientDefaults = new(4096, false, 100, 65535, MinMaxFrameSize, 32 * 1024);

    /// <summary>
    /// The SETTINGS entries that move a peer from <paramref name="from"/>
    /// (what it assumes now) to these values: only the parameters that
    /// differ, in identifier order. Sent in our first SETTINGS against
    /// <see cref="Initial"/>.
    /// </summary>
    public Seq<Setting> DifferencesFrom(Http2Settings from)
    {
        var list = new List<Setting>(6);
        if (HeaderTableSize != from.HeaderTableSize) list.Add(new(SettingId.HeaderTableSize, HeaderTableSize));
        if (EnablePush != from.EnablePush) list.Add(new(SettingId.EnablePush, EnablePush ? 1u : 0u));
        if (MaxConcurrentStreams != from.MaxConcurrentStreams) list.Add(new(SettingId.MaxConcurrentStreams, MaxConcurrentStreams));
        if (InitialWindowSize != from.InitialWindowSize) list.Add(new(SettingId.InitialWindowSize, InitialWindowSize));
        if (MaxFrameSize != from.MaxFrameSize) list.Add(new(SettingId.MaxFrameSize, MaxFrameSize));
        if (MaxHeaderListSize != from.MaxHeaderListSize) list.Add(new(SettingId.MaxHeaderListSize, MaxHeaderListSize));
        return list.ToSeq();
    }

    /// <summary>
    /// These values, if they may be advertised (§6.5.2); else (Left) why not:
    /// a window above 2^31-1, a frame size outside 2^14..2^24-1, or
    /// ENABLE_PUSH = 1 from a server ("A server MUST NOT explicitly set this
    /// value to 1", §8.4).
    /// </summary>
    public Either<string, Http2Settings> Validate(bool senderIsServer) =>
        InitialWindowSize > MaxWindowSize ? "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (§6.5.2)"
        : MaxFrameSize < MinMaxFrameSize || MaxFrameSize > MaxMaxFrameSize ? "SETTINGS_MAX_FRAME_SIZE outside 2^14..2^24-1 (§6.5.2)"
        : senderIsServer && EnablePush ? "a server cannot set SETTINGS_ENABLE_PUSH to 1 (§8.4)"
        : this;

    /// <summary>
    /// Applies the entries of one SETTINGS frame in order (§6.5.3: "processed
    /// in the order in which they appear"), validating each value (§6.5.2).
    /// Unknown identifiers are ignored. <paramref name="receiverIsClient"/>
    /// is the role of the endpoint receiving the frame: a client MUST treat
    /// ENABLE_PUSH = 1 from a server as a PROTOCOL_ERROR.
    /// </summary>
    /// <returns>The new values, or the connection error the first bad entry causes.</returns>
    public Either<ConnectionError, Http2Settings> Apply(Seq<Setting> entries, bool receiverIsClient)
    {
        var s = this;
        foreach (var e in entries)
        {
            var id = e.Id.Value;
            var v = e.Value;
            switch (id)
            {
                case 0x1: s = s with { HeaderTableSize = v }; break;
                case 0x2:
                    if (v > 1)
                        return new ConnectionError(ErrorCode.ProtocolError, "SETTINGS_ENABLE_PUSH other than 0 or 1", "6.5.2");
                    if (v == 1 && receiverIsClient)
                        return new ConnectionError(ErrorCode.ProtocolError, "a server sent SETTINGS_ENABLE_PUSH = 1", "6.5.2");
                    s = s with { EnablePush = v == 1 };
                    break;
                case 0x3: s = s with { MaxConcurrentStreams = v }; break;
                case 0x4:
                    if (v > MaxWindowSize)
                        return new ConnectionError(ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", "6.5.2");
                    s = s with { InitialWindowSize = v };
                    break;
                case 0x5:
                    if (v < MinMaxFrameSize || v > MaxMaxFrameSize)
                        return new ConnectionError(ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE outside 2^14..2^24-1", "6.5.2");
                    s = s with { MaxFrameSize = v };
                    break;
                case 0x6: s = s with { MaxHeaderListSize = v }; break;
                default: break; // §6.5.2: unknown or unsupported identifiers MUST be ignored.
            }
        }
        return s;
    }
}
