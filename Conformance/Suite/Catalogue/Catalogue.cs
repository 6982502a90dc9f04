using LanguageExt;
using Conformance.Suite.Model;

namespace Conformance.Suite.Catalogue;

/// <summary>Every case, in section order: RFC 9113 first, then RFC 7541.</summary>
public static class AllCases
{
    public static readonly Seq<Case> Cases = KestrelDeviations.Apply(
        Rfc9113.Preface + Rfc9113.FrameFormat + Rfc9113.FrameSize + Rfc9113.FieldCompression
        + Rfc9113.StreamStates + Rfc9113.StreamIdentifiers + Rfc9113.Concurrency + Rfc9113.Dependencies
        + Rfc9113.ConnectionErrors + Rfc9113.Extensions
        + Rfc9113.Data + Rfc9113.Headers + Rfc9113.Priority + Rfc9113.RstStream + Rfc9113.Settings
        + Rfc9113.DefinedSettings + Rfc9113.SettingsSynchronization + Rfc9113.Ping + Rfc9113.GoAway
        + Rfc9113.WindowUpdate + Rfc9113.FlowControlWindow + Rfc9113.InitialWindowSize + Rfc9113.ContinuationFrames
        + Rfc9113.ErrorCodes
        + Rfc9113.MessageExchange + Rfc9113.MalformedMessages + Rfc9113.Fields + Rfc9113.FieldValidity
        + Rfc9113.ConnectionSpecificFields + Rfc9113.ControlData + Rfc9113.RequestPseudoHeaders + Rfc9113.ServerPush
        + Rfc9113.DenialOfService
        + Rfc7541.All);

    /// <summary>The cases a section filter selects (all when the filter is empty).</summary>
    public static Seq<Case> Select(Option<string> section) =>
        section.Match(f => Cases.Filter(c => c.Section.Matches(f)), () => Cases);

    /// <summary>
    /// The cases a run selects, as h2spec selects them: by id or id prefix
    /// (positional "http2/6.9", "hpack/4.2/1", "generic"; all when none is
    /// given), then by RFC section (<c>--section</c>), leaving out the
    /// <see cref="Case.Strict"/> ones unless <paramref name="strict"/> (<c>-S</c>).
    /// </summary>
    public static Seq<Case> Select(Seq<string> ids, Option<string> section, bool strict) =>
        Select(section).Filter(c => (strict || !c.Strict) && (ids.IsEmpty || ids.Exists(c.Selected)));
}
