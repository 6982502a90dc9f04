namespace Http2.Reference.Hpack;

/// <summary>
/// A field (RFC 7541 §1.3 "header field"; RFC 9113 §8.2): a name and a value,
/// both octets. <see cref="Sensitive"/> marks a field that must never enter a
/// compression table (RFC 7541 §7.1.3): the encoder then always uses the
/// never-indexed literal (§6.2.3), and the decoder sets it on every
/// never-indexed literal it reads so that an intermediary can keep it so.
/// </summary>
/// <remarks>
/// A field is a value: its octets must not change once it is made (the
/// <see cref="Bytes"/> it holds may alias a caller's array; do not overwrite
/// it). The encoder writes nothing into a field: what it learns of one (static
/// match, name hash) is computed per use or kept in its own dynamic table, so
/// a field shared between connections or threads — the static table's
/// entries, a constant response field — is never written by encoding.
/// </remarks>
public sealed record HeaderField(Bytes Name, Bytes Value, bool Sensitive = false)
{
    /// <summary>
    /// The RFC 9113 §8.2 verdicts on the octets (<see cref="FieldFacts"/>), part of the
    /// value: set when the field is made by the decoder, the static table or
    /// <see cref="Of"/>, never written afterwards; 0 when the maker did not compute
    /// them (the public constructor, a <c>with</c> copy), and the checks then compute
    /// them per use.
    /// </summary>
    internal readonly int Facts;

    /// <summary>A field whose §8.2 verdicts are known (<see cref="FieldFacts.Of"/> of these octets).</summary>
    internal HeaderField(Bytes name, Bytes value, bool sensitive, int facts)
        : this(name, value, sensitive) => Facts = facts;

    // A with-expression may change the octets: the copy does not take the original's facts.
    private HeaderField(HeaderField original)
    {
        Name = original.Name;
        Value = original.Value;
        Sensitive = original.Sensitive;
    }

    /// <summary>Equal name, value and sensitivity.</summary>
    public bool Equals(HeaderField? other) =>
        other is not null && (ReferenceEquals(this, other) || (Sensitive == other.Sensitive && Name.Equals(other.Name) && Value.Equals(other.Value)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Value, Sensitive);

    /// <summary>RFC 7541 §4.1: each entry costs its name and value length plus 32.</summary>
    public const int EntryOverhead = 32;

    /// <summary>The size of this field as a table entry, and in a header list (RFC 9113 §6.5.2).</summary>
    public int Size => Name.Length + Value.Length + EntryOverhead;

    /// <summary>
    /// A field holding copies of <paramref name="name"/> and <paramref name="value"/>
    /// in one array (one allocation for both: they live and die together).
    /// </summary>
    internal static HeaderField Copy(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool sensitive, int facts)
    {
        if (name.Length + value.Length == 0) return new HeaderField(Bytes.Empty, Bytes.Empty, sensitive, facts);
        var octets = new byte[name.Length + value.Length];
        name.CopyTo(octets);
        value.CopyTo(octets.AsSpan(name.Length));
        return new HeaderField(new Bytes(octets.AsMemory(0, name.Length)), new Bytes(octets.AsMemory(name.Length)), sensitive, facts);
    }

    /// <summary>A field from UTF-8 text.</summary>
    public static HeaderField Of(string name, string value, bool sensitive = false)
    {
        var n = Bytes.FromUtf8(name);
        var v = Bytes.FromUtf8(value);
        return new(n, v, sensitive, FieldFacts.Of(n.Span, v.Span));
    }

    /// <summary>The name as text (UTF-8).</summary>
    public string NameText => Name.ToUtf8();

    /// <summary>The value as text (UTF-8).</summary>
    public string ValueText => Value.ToUtf8();

    /// <summary><c>name: value</c>, as the seed's printer and nghttp -v show fields.</summary>
    public override string ToString() => $"{NameText}: {ValueText}{(Sensitive ? " (sensitive)" : "")}";
}
