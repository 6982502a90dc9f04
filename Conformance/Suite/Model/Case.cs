using LanguageExt;

namespace Conformance.Suite.Model;

/// <summary>
/// A known, examined failure of a named implementation: the case is right
/// and the implementation breaks the requirement quoted in the explanation.
/// The runner reports such a failure as "fail (known: IMPL …)" when told the
/// target is that implementation, and it does not count against the run.
/// </summary>
/// <param name="Implementation">The implementation as named on the command line (e.g. "nghttpd").</param>
/// <param name="Explanation">What it does instead, and the RFC requirement it breaks.</param>
public sealed record KnownDeviation(string Implementation, string Explanation);

/// <summary>
/// One server check, as a value: an id, the section it checks, the
/// requirement in one sentence, the script that provokes the server, and
/// (inside the script's <see cref="Expect"/> steps) the reactions that satisfy it.
/// </summary>
/// <param name="Id">Stable id: h2spec's id for the cases h2spec has ("http2/6.5/1", "generic/3.7/1", "hpack/4.2/1", RFC 7540 numbering);
/// "SPEC/SECTION/N" for the others ("9113/8.2.1/3", "7541/5.1/1").</param>
/// <param name="Section">The section checked.</param>
/// <param name="Requirement">The requirement, in the RFC's words, one sentence.</param>
/// <param name="Script">What to send, and what to expect, in order.</param>
/// <param name="Origin">The h2spec case it corresponds to ("h2spec http2/6.5/1"), or "extra" for checks h2spec lacks.</param>
/// <param name="KnownDeviations">Examined failures of named implementations.</param>
/// <param name="Timeout">A per-case timeout when the default does not fit (floods).</param>
public sealed record Case(
    string Id,
    SectionId Section,
    string Requirement,
    Seq<Step> Script,
    string Origin,
    Seq<KnownDeviation> KnownDeviations,
    Option<TimeSpan> Timeout)
{
    /// <summary>The id is h2spec's: the case is h2spec's case of that id (generic/…, http2/…, hpack/…).</summary>
    public bool FromH2spec => IsH2specId(Id);

    /// <summary>True for ids of h2spec's form: "generic/…", "http2/…", "hpack/…".</summary>
    public static bool IsH2specId(string id) =>
        id.StartsWith("generic/", StringComparison.Ordinal) || id.StartsWith("http2/", StringComparison.Ordinal) || id.StartsWith("hpack/", StringComparison.Ordinal);

    /// <summary>
    /// h2spec runs it only with <c>-S</c> (<c>--strict</c>): it checks a SHOULD.
    /// The runner, like h2spec, runs it only when asked to be strict.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// Where RFC 9113 changed the expected reaction from RFC 7540 (which h2spec
    /// was written against): what changed, citing both. None when unchanged.
    /// </summary>
    public Option<string> ChangedBy9113 { get; init; }

    /// <summary>
    /// True when a positional selector selects this case, as h2spec's do: a
    /// case id ("hpack/4.2/1"), a section with its subsections ("http2/6.9"
    /// takes http2/6.9/n, http2/6.9.1/n, http2/6.9.2/n) or a group ("http2",
    /// "generic", "9113").
    /// </summary>
    public bool Selected(string selector)
    {
        var s = selector.Trim().TrimEnd('/');
        var section = Id[..Id.LastIndexOf('/')];
        return Id == s || section == s
            || section.StartsWith(s + ".", StringComparison.Ordinal) || section.StartsWith(s + "/", StringComparison.Ordinal);
    }

    /// <summary>The deviation recorded for the implementation, if any.</summary>
    public Option<KnownDeviation> KnownFor(Option<string> implementation) =>
        implementation.Bind(impl => KnownDeviations.Find(d => string.Equals(d.Implementation, impl, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The expectation steps, in order.</summary>
    public Seq<Reaction> Reactions => Script.Choose(s => s is Expect e ? Some(e.Reaction) : None);

    /// <summary>A copy with a known deviation added.</summary>
    public Case Deviates(string implementation, string explanation) =>
        this with { KnownDeviations = KnownDeviations.Add(new KnownDeviation(implementation, explanation)) };

    private static Option<Reaction> Some(Reaction r) => Option<Reaction>.Some(r);
    private static Option<Reaction> None => Option<Reaction>.None;
}

/// <summary>A section of one of the two RFCs: "RFC 9113 §6.5.2".</summary>
public sealed record SectionId(string Spec, string Number)
{
    public const string Http2 = "9113";
    public const string Hpack = "7541";

    /// <summary>The section's parents from the top: 6.5.2 → [6, 6.5, 6.5.2].</summary>
    public Seq<string> Path => Number.Split('.').Select((_, i) => string.Join('.', Number.Split('.').Take(i + 1))).ToSeq();

    /// <summary>True when a filter such as "6.5", "9113/6.5", "7541" or "hpack" selects this section.</summary>
    public bool Matches(string filter)
    {
        var f = filter.Trim().TrimStart('§');
        if (f.Equals("hpack", StringComparison.OrdinalIgnoreCase) || f.Equals("rfc7541", StringComparison.OrdinalIgnoreCase)) return Spec == Hpack;
        if (f.Equals("http2", StringComparison.OrdinalIgnoreCase) || f.Equals("rfc9113", StringComparison.OrdinalIgnoreCase)) return Spec == Http2;
        var spec = Http2;
        if (f.Contains('/')) { spec = f[..f.IndexOf('/')].Replace("rfc", "", StringComparison.OrdinalIgnoreCase); f = f[(f.IndexOf('/') + 1)..]; }
        else if (f is Http2 or Hpack) return Spec == f;
        return Spec == spec && (Number == f || Number.StartsWith(f + ".", StringComparison.Ordinal));
    }

    public override string ToString() => $"RFC {Spec} §{Number}";
}
