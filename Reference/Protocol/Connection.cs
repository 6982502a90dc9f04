using LanguageExt;
using Reference.Frames;

namespace Reference.Protocol;

/// <summary>
/// The HTTP/2 connection as pure functions (RFC 9113 §3-§8): state, input and
/// the current time in; new state and outputs out. No I/O, no clock: the
/// shell passes <c>now</c> (monotonic, any epoch, e.g. a Stopwatch) and
/// writes the frames.
/// </summary>
public static partial class Connection
{
    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (§3.4).</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Starts a connection at time <paramref name="now"/>: the first state and
    /// our preface — for a client the preface octets, then for both our
    /// SETTINGS (§3.4) and a WINDOW_UPDATE raising the connection window to
    /// <see cref="ConnectionLimits.ConnectionReceiveWindow"/>.
    /// </summary>
    public static ConnectionResult Start(ConnectionOptions options, TimeSpan now) =>
        throw new NotImplementedException("lands in the next commit");

    /// <summary>
    /// Feeds octets read from the transport: the client preface (server
    /// role), then as many complete frames as <paramref name="bytes"/>
    /// holds, each stepped in order. Unconsumed octets (an incomplete frame)
    /// stay with the shell, which passes them again with more.
    /// </summary>
    public static ConnectionResult Receive(ConnectionState state, ReadOnlyMemory<byte> bytes, TimeSpan now) =>
        throw new NotImplementedException("lands in the next commit");

    /// <summary>One input (a frame, a command of the application, a tick) at time <paramref name="now"/>.</summary>
    public static ConnectionResult Step(ConnectionState state, ConnectionInput input, TimeSpan now) =>
        throw new NotImplementedException("lands in the next commit");
}
