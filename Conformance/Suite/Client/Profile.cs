using LanguageExt;
using Http2.Reference.Frames;

namespace Conformance.Suite.Client;

/// <summary>
/// How the runner's client introduces itself: the SETTINGS its connection
/// preface carries (RFC 9113 §3.4) before any setting a case adds. The
/// default is h2spec's, so that "the runner says pass" means what "h2spec
/// says pass" means: h2spec 2.0.0 sends SETTINGS_INITIAL_WINDOW_SIZE=65535
/// and nothing else, which leaves SETTINGS_ENABLE_PUSH at its initial 1 (a
/// server may push), and requests "/".
/// </summary>
/// <param name="Name">The name <c>--profile</c> takes.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
/// <param name="Settings">The preface's SETTINGS; a case's own settings follow them in the same frame (the last value of a setting wins, §6.5.3).</param>
public sealed record Profile(string Name, string Description, Seq<Setting> Settings)
{
    /// <summary>h2spec 2.0.0's client: SETTINGS_INITIAL_WINDOW_SIZE=65535 only, push left enabled.</summary>
    public static readonly Profile H2spec = new("h2spec",
        "SETTINGS_INITIAL_WINDOW_SIZE=65535 only, as h2spec sends it (push left enabled)",
        Prelude.Seq1(new Setting(SettingId.InitialWindowSize, 65535)));

    /// <summary>A client that refuses push (SETTINGS_ENABLE_PUSH=0, RFC 9113 §6.5.2), as browsers and curl do today.</summary>
    public static readonly Profile NoPush = new("no-push",
        "SETTINGS_ENABLE_PUSH=0, as browsers and curl send it",
        Prelude.Seq1(new Setting(SettingId.EnablePush, 0)));

    /// <summary>Every profile; the first is the default.</summary>
    public static readonly Seq<Profile> All = Prelude.Seq(H2spec, NoPush);

    /// <summary>The profile of that name (case-insensitive).</summary>
    public static Option<Profile> Named(string name) => All.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
