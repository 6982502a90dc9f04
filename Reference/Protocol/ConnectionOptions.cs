using LanguageExt;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>Which end of the connection this state machine is (RFC 9113 §3.4, §5.1.1).</summary>
public enum Role
{
    /// <summary>Accepts the client preface, answers odd-numbered streams, may push on even ones.</summary>
    Server,
    /// <summary>Sends the preface, opens odd-numbered streams (used by tests and the conformance client).</summary>
    Client,
}

/// <summary>
/// Everything that configures one connection: its role, the SETTINGS it
/// advertises, its limits and its timeouts. A value; the defaults are the
/// reference server (every resource limit on, see <see cref="ConnectionLimits"/>).
/// </summary>
public sealed record ConnectionOptions
{
    /// <summary>Server or client.</summary>
    public Role Role { get; init; } = Role.Server;

    /// <summary>The SETTINGS we send in our preface (§3.4) and enforce (once acknowledged where §6.5.3 says so).</summary>
    public Http2Settings Settings { get; init; } = Http2Settings.ServerDefaults;

    /// <summary>Resource limits, each with the attack it stops.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>Timeouts, driven by the time passed to every call.</summary>
    public ConnectionTimeouts Timeouts { get; init; } = ConnectionTimeouts.Default;

    /// <summary>
    /// The most our HPACK encoder uses of the table the peer allows
    /// (4096, the seed's deflater cap): the peer's SETTINGS_HEADER_TABLE_SIZE
    /// is a maximum, not an obligation (RFC 7541 §4.2).
    /// </summary>
    public int EncoderTableCap { get; init; } = 4096;

    /// <summary>The HPACK encoder strategy for the header blocks we send; None = nghttp2's (BEHAVIOUR.md).</summary>
    public Option<EncoderStrategy> EncoderStrategy { get; init; } = Option<EncoderStrategy>.None;

    /// <summary>Server role: the <c>server</c> field every final response gets unless it has one (RFC 9110 §10.2.4); None: none.</summary>
    public Option<HeaderField> ServerField { get; init; } = Option<HeaderField>.None;

    /// <summary>The reference server's defaults.</summary>
    public static ConnectionOptions Server => new();

    /// <summary>A client with the same limits, push disabled.</summary>
    public static ConnectionOptions Client => new() { Role = Role.Client, Settings = Http2Settings.ClientDefaults };
}
