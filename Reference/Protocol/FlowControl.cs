namespace Http2.Reference.Protocol;

/// <summary>
/// Flow-control arithmetic (RFC 9113 §5.2, §6.9) as pure functions over
/// window values. Windows are <see cref="long"/> because they may go
/// negative after a SETTINGS_INITIAL_WINDOW_SIZE decrease (§6.9.2) and
/// must be checked against 2^31-1 before they are stored.
/// </summary>
internal static class FlowControl
{
    /// <summary>2^31-1: "A sender MUST NOT allow a flow-control window to exceed 2^31-1 octets" (§6.9.1).</summary>
    public const long MaxWindow = int.MaxValue;

    /// <summary>The default initial window of streams and of the connection (§6.9.2).</summary>
    public const int DefaultWindow = 65535;

    /// <summary>
    /// A WINDOW_UPDATE of <paramref name="increment"/> applied to
    /// <paramref name="window"/>: the new window, or None when it would
    /// exceed 2^31-1 (a FLOW_CONTROL_ERROR of the window's scope, §6.9.1).
    /// </summary>
    public static bool TryIncrease(long window, long increment, out long result)
    {
        result = window + increment;
        return result <= MaxWindow;
    }

    /// <summary>
    /// The receive-side credit policy: the application consumed
    /// <paramref name="consumed"/> more octets, <paramref name="pending"/>
    /// were consumed earlier but not yet returned. Return the credit in one
    /// WINDOW_UPDATE once it reaches half of <paramref name="window"/> (RFC
    /// 1122 §4.2.3.3's advice against small increments, §6.9.1), so the peer
    /// never stalls while a full window is never needed to be outstanding.
    /// </summary>
    /// <returns>The increment to send now (0 = none) and the credit still held back.</returns>
    public static (int Send, int Pending) CreditToSend(int pending, int consumed, int window)
    {
        var total = (long)pending + consumed;
        var threshold = Math.Max(1, window / 2);
        return total >= threshold ? ((int)Math.Min(total, MaxWindow), (int)Math.Max(0, total - MaxWindow)) : (0, (int)total);
    }

    /// <summary>
    /// How many octets of a DATA frame may be sent now: limited by both
    /// windows ("MUST NOT send a flow-controlled frame with a length that
    /// exceeds the space available in either", §6.9.1), the peer's
    /// SETTINGS_MAX_FRAME_SIZE (§4.2) and what is waiting. Never negative.
    /// </summary>
    public static int Sendable(long streamWindow, long connectionWindow, uint maxFrameSize, int waiting) =>
        (int)Math.Max(0, Math.Min(Math.Min(streamWindow, connectionWindow), Math.Min(maxFrameSize, waiting)));
}
