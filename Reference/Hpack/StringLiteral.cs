namespace Http2.Reference.Hpack;

/// <summary>
/// String literal representation of RFC 7541 §5.2: one flag bit H (Huffman or
/// raw), the length in octets as a 7-bit-prefix integer (§5.1), then the
/// octets, Huffman-coded (Appendix B) when H is set.
/// </summary>
internal static class StringLiteral
{
    /// <summary>The H bit of the first octet.</summary>
    public const byte HuffmanFlag = 0x80;

    /// <summary>
    /// Reads the header of a string literal (H and the length) at the start of
    /// <paramref name="source"/>, without looking at the octets themselves.
    /// </summary>
    /// <param name="source">The input, starting at the H bit.</param>
    /// <param name="huffman">The H bit.</param>
    /// <param name="length">The length of the (possibly coded) string in octets.</param>
    /// <param name="headerLength">Octets taken by H and the length.</param>
    public static IntegerStatus TryReadHeader(ReadOnlySpan<byte> source, out bool huffman, out int length, out int headerLength)
    {
        huffman = !source.IsEmpty && (source[0] & HuffmanFlag) != 0;
        return Integer.TryRead(source, 7, out length, out headerLength);
    }

    /// <summary>Octets <paramref name="value"/> takes as a literal, Huffman-coded or not.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> value, bool huffman)
    {
        var n = huffman ? Huffman.EncodedLength(value) : value.Length;
        return Integer.EncodedLength(n, 7) + n;
    }

    /// <summary>Writes <paramref name="value"/> as a literal; returns the octets written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> value, bool huffman)
    {
        if (!huffman)
        {
            var h = Integer.Write(destination, value.Length, 7, 0);
            value.CopyTo(destination[h..]);
            return h + value.Length;
        }
        var coded = Huffman.EncodedLength(value);
        var header = Integer.Write(destination, coded, 7, HuffmanFlag);
        return header + Huffman.Encode(value, destination[header..]);
    }

    /// <summary>Writes <paramref name="value"/> as a literal with a Huffman length already known (<see cref="Huffman.EncodedLength"/>).</summary>
    internal static int WriteHuffman(Span<byte> destination, ReadOnlySpan<byte> value, int codedLength)
    {
        var header = Integer.Write(destination, codedLength, 7, HuffmanFlag);
        return header + Huffman.Encode(value, destination[header..]);
    }

    /// <summary>
    /// Writes <paramref name="value"/> Huffman-coded when that is strictly
    /// shorter than its octets (nghttp2's choice), else raw, coding it once: the
    /// code goes straight after a one-octet length prefix and is moved only in
    /// the rare case where its length needs a longer prefix. Needs room for the
    /// raw literal plus 4 octets.
    /// </summary>
    /// <returns>Octets written.</returns>
    internal static int WriteHuffmanIfShorter(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        var coded = Huffman.EncodeAtMost(value, destination[1..], value.Length - 1);
        if (coded < 0) return Write(destination, value, false);
        if (coded < 0x7f)
        {
            destination[0] = (byte)(HuffmanFlag | coded);
            return 1 + coded;
        }
        var header = Integer.EncodedLength(coded, 7);
        destination.Slice(1, coded).CopyTo(destination[header..]);
        Integer.Write(destination, coded, 7, HuffmanFlag);
        return header + coded;
    }
}
