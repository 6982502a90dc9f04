using LanguageExt;
using Http2.Reference.Frames;

namespace Conformance.Suite.Client;

/// <summary>
/// What a script may read while it runs: the target, and the settings the
/// server announced in its connection preface (RFC 9113 §3.4, §6.5.2).
/// </summary>
public sealed record Session(Target Target, System.Collections.Immutable.ImmutableDictionary<SettingId, uint> ServerSettings)
{
    /// <summary>A server setting, or its initial value (§6.5.2) when not announced.</summary>
    public Option<uint> Setting(SettingId id) => ServerSettings.TryGetValue(id, out var v) ? Option<uint>.Some(v) : Option<uint>.None;

    /// <summary>The current connection has ended, or the server sent GOAWAY on it (later requests on it cannot be answered).</summary>
    public bool ConnectionEnded { get; init; }

    public uint MaxFrameSize => Setting(SettingId.MaxFrameSize).IfNone(16384);
    public uint InitialWindowSize => Setting(SettingId.InitialWindowSize).IfNone(65535);

    /// <summary>The pseudo-header fields of a request (RFC 9113 §8.3.1) for this target.</summary>
    public (string, string)[] RequestFields(string method = "GET", string? path = null) =>
        [(":method", method), (":scheme", Target.Scheme), (":path", path ?? Target.Path), (":authority", Target.Authority)];

    /// <summary>A header block for a request, with literals only (valid whatever the dynamic table holds).</summary>
    public byte[] Request(string method = "GET", params (string, string)[] extra) =>
        HpackBytes.Block([.. RequestFields(method), .. extra]);
}
