namespace Http2.Reference.Hpack;

/// <summary>The outcome of reading an integer (RFC 7541 §5.1).</summary>
internal enum IntegerStatus
{
    /// <summary>A complete integer was read.</summary>
    Ok,

    /// <summary>The input ended before the last continuation octet (§5.1: the MSB of the last octet is 0).</summary>
    Truncated,

    /// <summary>The value does not fit in 31 bits (it exceeds <see cref="Integer.MaxValue"/>).</summary>
    Overflow,

    /// <summary>
    /// The encoding has more continuation octets than <see cref="Integer.MaxContinuationOctets"/>,
    /// whatever its value (redundant zero groups): §5.1 allows any number, and
    /// lets a decoder refuse encodings beyond its limits.
    /// </summary>
    TooManyOctets,
}

/// <summary>
/// Integer representation of RFC 7541 §5.1: a value in an N-bit prefix of the
/// first octet (the other bits belong to the representation), and when it does
/// not fit, the prefix all ones followed by 7-bit groups, least significant
/// first, each with a continuation flag in its MSB.
/// </summary>
internal static class Integer
{
    /// <summary>
    /// The largest value we accept. §5.1 lets encodings be arbitrarily long
    /// ("integer encodings that exceed implementation limits ... MUST be
    /// treated as decoding errors", §5.1); every quantity HPACK carries (an
    /// index, a length, a table size) fits comfortably in 31 bits.
    /// </summary>
    public const int MaxValue = int.MaxValue;

    /// <summary>
    /// The most continuation octets we read after the prefix: a 31-bit value
    /// never needs more; more could only be redundant zero groups, which an
    /// attacker would use to make one integer arbitrarily long.
    /// </summary>
    public const int MaxContinuationOctets = 5;

    /// <summary>Which limit an integer broke, in words: "does not fit in 31 bits ..." or "has more than 5 continuation octets ...".</summary>
    /// <param name="status"><see cref="IntegerStatus.Overflow"/> or <see cref="IntegerStatus.TooManyOctets"/>.</param>
    public static string LimitBroken(IntegerStatus status) => status switch
    {
        IntegerStatus.TooManyOctets =>
            $"has more than {MaxContinuationOctets} continuation octets (this decoder's limit on an integer's length, whatever its value)",
        _ => $"does not fit in 31 bits (more than {MaxValue})",
    };

    /// <summary>
    /// Reads an integer with an <paramref name="prefixBits"/>-bit prefix from the
    /// start of <paramref name="source"/> (the prefix is in <c>source[0]</c>).
    /// </summary>
    /// <param name="source">The input, starting at the octet holding the prefix.</param>
    /// <param name="prefixBits">N, from 1 to 8.</param>
    /// <param name="value">The value, when the status is <see cref="IntegerStatus.Ok"/>.</param>
    /// <param name="consumed">Octets read, when the status is <see cref="IntegerStatus.Ok"/>.</param>
    public static IntegerStatus TryRead(ReadOnlySpan<byte> source, int prefixBits, out int value, out int consumed)
    {
        value = 0;
        consumed = 0;
        if (source.IsEmpty) return IntegerStatus.Truncated;
        var mask = (1 << prefixBits) - 1;
        var prefix = source[0] & mask;
        if (prefix < mask)
        {
            value = prefix;
            consumed = 1;
            return IntegerStatus.Ok;
        }
        long acc = mask;
        var shift = 0;
        for (var i = 1; ; i++)
        {
            if (i >= source.Length) return IntegerStatus.Truncated;
            if (i > MaxContinuationOctets) return IntegerStatus.TooManyOctets;
            var b = source[i];
            acc += (long)(b & 0x7f) << shift;
            if (acc > MaxValue) return IntegerStatus.Overflow;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                value = (int)acc;
                consumed = i + 1;
                return IntegerStatus.Ok;
            }
        }
    }

    /// <summary>Octets needed to encode <paramref name="value"/> with an N-bit prefix.</summary>
    public static int EncodedLength(int value, int prefixBits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var mask = (1 << prefixBits) - 1;
        if (value < mask) return 1;
        var n = 2;
        for (var rest = value - mask; rest >= 0x80; rest >>= 7) n++;
        return n;
    }

    /// <summary>
    /// Writes <paramref name="value"/> with an N-bit prefix; <paramref name="flags"/>
    /// supplies the first octet's bits above the prefix (the representation type).
    /// </summary>
    /// <returns>Octets written (at most 6).</returns>
    public static int Write(Span<byte> destination, int value, int prefixBits, byte flags)
    {
        var mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            destination[0] = (byte)(flags | value);
            return 1;
        }
        destination[0] = (byte)(flags | mask);
        var rest = (uint)(value - mask);
        var i = 1;
        for (; rest >= 0x80; rest >>= 7) destination[i++] = (byte)(rest | 0x80);
        destination[i++] = (byte)rest;
        return i;
    }
}
