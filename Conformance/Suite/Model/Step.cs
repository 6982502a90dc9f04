using LanguageExt;
using Http2.Reference.Frames;
using Conformance.Suite.Client;

namespace Conformance.Suite.Model;

/// <summary>
/// One step of a case's script. A closed set: the runner interprets each with
/// a switch. Octets to send are functions of the <see cref="Session"/> (the
/// target's authority, the settings the server announced) so that one case
/// runs unchanged against any server.
/// </summary>
public abstract record Step(string Description)
{
    public override string ToString() => Description;
}

/// <summary>
/// Connection preface (RFC 9113 §3.4) with our SETTINGS, then the SETTINGS
/// exchange: wait for the server's SETTINGS, acknowledge it, and wait for the
/// acknowledgement of ours (§6.5.3).
/// </summary>
public sealed record Handshake(Seq<Setting> Settings) : Step("connection preface and SETTINGS exchange");

/// <summary>Writes octets (whole frames, broken frames, anything).</summary>
public sealed record Send(string What, Func<Session, byte[]> Octets) : Step($"send {What}");

/// <summary>Reads until the reaction is satisfied (next step), violated (fail) or the timeout passes (timeout).</summary>
public sealed record Expect(Reaction Reaction) : Step($"expect {Reaction.Describe()}");

/// <summary>Like <see cref="Expect"/>, with a reaction that depends on the session (e.g. on a setting the server announced).</summary>
public sealed record ExpectFrom(string What, Func<Session, Reaction> Reaction) : Step($"expect {What}");

/// <summary>Waits, reading nothing (lets a server process what was sent).</summary>
public sealed record Pause(TimeSpan Duration) : Step($"wait {Duration.TotalMilliseconds:0} ms");

/// <summary>
/// Opens a second connection to the same target and makes it the current one
/// (the first stays open until the case ends): "the server is still up".
/// </summary>
public sealed record Reconnect() : Step("open a fresh connection");

/// <summary>Records the resident memory of the target process, when its PID is known.</summary>
public sealed record SampleMemory() : Step("sample the server's resident memory");

/// <summary>Fails when the target's resident memory grew by more than <paramref name="MaxGrowthBytes"/> since <see cref="SampleMemory"/> (skipped when no PID is known).</summary>
public sealed record CheckMemory(long MaxGrowthBytes) : Step($"resident memory grew by at most {MaxGrowthBytes / (1024 * 1024)} MiB");

/// <summary>Skips the case (reports "skipped" with the reason) when the condition holds for this session.</summary>
public sealed record SkipIf(string Reason, Func<Session, bool> Condition) : Step($"skip if {Reason}");

/// <summary>Shorthands for writing scripts.</summary>
public static class Steps
{
    public static Step Send(Frame frame) => new Send(Wire.Describe(frame), _ => Wire.Encode(frame));
    public static Step Send(params Frame[] frames) =>
        new Send(string.Join(", ", frames.Select(Wire.Describe)), _ => frames.SelectMany(Wire.Encode).ToArray());
    public static Step Send(string what, Func<Session, Frame> frame) => new Send(what, s => Wire.Encode(frame(s)));
    public static Step SendRaw(string what, byte[] octets) => new Send(what, _ => octets);
}
