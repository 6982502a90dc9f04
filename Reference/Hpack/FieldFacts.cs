using System.Buffers;

namespace Http2.Reference.Hpack;

/// <summary>What a field's name says about its role in a message (RFC 9113 §8.1.1, §8.2.3, §8.3).</summary>
internal enum FieldKind
{
    Other, ContentLength, Cookie, Method, Scheme, Authority, Path, Status, OtherPseudo,
}

/// <summary>
/// The verdicts of RFC 9113 §8.2 on a field's octets, as one int: whether the
/// name and the value pass §8.2.1, whether the field is a plain regular field
/// (§8.2.1 and §8.2.2), and its <see cref="FieldKind"/>. They depend on the
/// octets only, so they are part of the field's value: computed once when the
/// field is made (by the decoder while the octets are at hand, for the static
/// table's entries at start-up, by <see cref="HeaderField.Of"/>) and never
/// written afterwards. 0 means "not computed": the connection's checks then
/// compute them per use (<see cref="Of"/>) and keep them nowhere.
/// </summary>
internal static class FieldFacts
{
    /// <summary>Facts are present (0: not computed for this field).</summary>
    public const int Known = 1;

    /// <summary>§8.2.1: the value has no NUL, CR or LF and no leading or trailing SP or HTAB.</summary>
    public const int ValueOk = 2;

    /// <summary>A regular field passing every §8.2 check: name and value (§8.2.1), not connection-specific, TE only "trailers" (§8.2.2).</summary>
    public const int RegularOk = 4;

    /// <summary>§8.2.1: the name is not empty and has only allowed octets (a colon only as a pseudo-header's first).</summary>
    public const int NameOk = 8;

    /// <summary>§8.2.2: a connection-specific name (upgrade, connection, keep-alive, proxy-connection, transfer-encoding).</summary>
    public const int ConnectionSpecific = 16;

    /// <summary>§8.2.2: the name is "te".</summary>
    public const int Te = 32;

    /// <summary>Where <see cref="FieldKind"/> sits.</summary>
    public const int KindShift = 8;

    /// <summary>The bits that depend on the name alone.</summary>
    private const int NameBits = Known | NameOk | ConnectionSpecific | Te | 0xf << KindShift;

    /// <summary>§8.2.1: octets no field name may hold: 0x00-0x20, 'A'-'Z', 0x7f-0xff, and ':' (outside a pseudo-header's first octet).</summary>
    public static readonly SearchValues<byte> NotInName = SearchValues.Create(
        [.. Enumerable.Range(0, 0x21).Select(b => (byte)b), .. "ABCDEFGHIJKLMNOPQRSTUVWXYZ:"u8.ToArray(), .. Enumerable.Range(0x7f, 0x81).Select(b => (byte)b)]);

    /// <summary>§8.2.1: octets no field value may hold: NUL, CR, LF.</summary>
    public static readonly SearchValues<byte> NotInValue = SearchValues.Create([0, (byte)'\r', (byte)'\n']);

    /// <summary>The kind in a set of facts.</summary>
    public static FieldKind KindOf(int facts) => (FieldKind)((facts >> KindShift) & 0xf);

    /// <summary>The facts of a field with these octets.</summary>
    public static int Of(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => WithValue(OfName(name), value);

    /// <summary>The facts of <paramref name="value"/> under a name whose facts (of any field with that name) are <paramref name="nameFacts"/>.</summary>
    /// <param name="nameFacts">The name's facts.</param>
    /// <param name="value">The value's octets.</param>
    /// <param name="classes">The value's octet classes when the Huffman decoder gave them (<see cref="Huffman.Decode(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/>), else -1.</param>
    public static int WithValue(int nameFacts, ReadOnlySpan<byte> value, int classes = -1)
    {
        var facts = nameFacts & NameBits;
        if (ValueClean(value, classes)) facts |= ValueOk;
        if ((facts & (NameOk | ValueOk | ConnectionSpecific)) == (NameOk | ValueOk)
            && ((facts & Te) == 0 || value.SequenceEqual("trailers"u8)))
            facts |= RegularOk;
        return facts;
    }

    /// <summary>§8.2.1 on a value.</summary>
    public static bool ValueClean(ReadOnlySpan<byte> value, int classes = -1) =>
        (classes >= 0 ? (classes & Huffman.NotValueOctet) == 0 : value.IndexOfAny(NotInValue) < 0)
        && (value.IsEmpty || (value[0] is not ((byte)' ' or (byte)'\t') && value[^1] is not ((byte)' ' or (byte)'\t')));

    /// <summary>The name's part of the facts (<see cref="WithValue"/> adds the value's).</summary>
    /// <param name="name">The name's octets.</param>
    /// <param name="classes">Their octet classes when the Huffman decoder gave them, else -1.</param>
    public static int OfName(ReadOnlySpan<byte> name, int classes = -1)
    {
        var facts = Known;
        if (!name.IsEmpty && (classes >= 0 && (classes & Huffman.NotNameOctet) == 0 || name[(name[0] == (byte)':' ? 1 : 0)..].IndexOfAny(NotInName) < 0))
            facts |= NameOk;
        // One switch on the length: the kind (§8.1.1, §8.2.3, §8.3) and the names §8.2.2 forbids or restricts.
        var kind = name.Length switch
        {
            2 when name[0] == (byte)'t' && name[1] == (byte)'e' => Te,
            5 when name.SequenceEqual(":path"u8) => (int)FieldKind.Path << KindShift,
            6 when name.SequenceEqual("cookie"u8) => (int)FieldKind.Cookie << KindShift,
            7 when name[0] == (byte)':' => name.SequenceEqual(":method"u8) ? (int)FieldKind.Method << KindShift
                : name.SequenceEqual(":scheme"u8) ? (int)FieldKind.Scheme << KindShift
                : name.SequenceEqual(":status"u8) ? (int)FieldKind.Status << KindShift
                : (int)FieldKind.OtherPseudo << KindShift,
            7 when name.SequenceEqual("upgrade"u8) => ConnectionSpecific,
            10 when name[0] == (byte)':' => name.SequenceEqual(":authority"u8) ? (int)FieldKind.Authority << KindShift : (int)FieldKind.OtherPseudo << KindShift,
            // §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header fields."
            10 when name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8) => ConnectionSpecific,
            14 when name.SequenceEqual("content-length"u8) => (int)FieldKind.ContentLength << KindShift,
            16 when name.SequenceEqual("proxy-connection"u8) => ConnectionSpecific,
            17 when name.SequenceEqual("transfer-encoding"u8) => ConnectionSpecific,
            _ when name.Length > 0 && name[0] == (byte)':' => (int)FieldKind.OtherPseudo << KindShift,
            _ => 0,
        };
        return facts | kind;
    }
}
