using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Http2.Reference.Hpack;

/// <summary>The outcome of decoding a Huffman-coded string (RFC 7541 §5.2).</summary>
internal enum HuffmanStatus
{
    /// <summary>Decoded.</summary>
    Ok,

    /// <summary>The string contains the EOS symbol, which §5.2 makes a decoding error.</summary>
    Eos,

    /// <summary>The padding is longer than 7 bits or is not the most significant bits of EOS (all ones), §5.2.</summary>
    BadPadding,
}

/// <summary>
/// The Huffman code of RFC 7541 Appendix B used by string literals (§5.2).
/// Encoding packs codes into a 64-bit accumulator and flushes 32 bits at a
/// time. Decoding looks the next 12 bits of input up in a table built once
/// from <see cref="HuffmanCode"/>: it gives the one or two symbols whose codes
/// fill those bits from their start (every code of up to 6 bits, 77 of the
/// printable octets, pairs with another short one) and the bits they take; the
/// rare codes longer than 12 bits walk the code tree bit by bit.
/// </summary>
internal static class Huffman
{
    // Decoding table entry: bits taken by all the symbols (bits 0-5), the classes of the
    // symbols (6-7: NotValueOctet, NotNameOctet), symbol 1 (8-15),
    // symbol 2 (16-23), symbols (24-25: 0 = no code of 12 bits or less starts here, 1 or
    // 2), bits taken by symbol 1 (26-30).
    private const int PeekBits = 12;
    private const uint CountMask = 3u << 24;

    private static readonly short[] tree = BuildTree();
    private static readonly byte[] octetClass = BuildClasses();
    private static readonly uint[] peek = BuildPeek();

    private static byte[] BuildClasses()
    {
        var classes = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            if (FieldFacts.NotInName.Contains((byte)b)) classes[b] |= NotNameOctet;
            if (FieldFacts.NotInValue.Contains((byte)b)) classes[b] |= NotValueOctet;
        }
        return classes;
    }

    /// <summary>Number of octets <paramref name="source"/> takes once Huffman-coded (padding included).</summary>
    public static int EncodedLength(ReadOnlySpan<byte> source)
    {
        var lengths = HuffmanCode.Lengths;
        long bits = 0;
        foreach (var b in source) bits += lengths[b];
        return (int)((bits + 7) >> 3);
    }

    /// <summary>
    /// Huffman-codes <paramref name="source"/> into <paramref name="destination"/>,
    /// which must hold <see cref="EncodedLength"/> octets; pads the last octet
    /// with the most significant bits of EOS (ones), §5.2.
    /// </summary>
    /// <returns>Octets written.</returns>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination) => EncodeAtMost(source, destination, int.MaxValue);

    /// <summary>
    /// Huffman-codes <paramref name="source"/> into <paramref name="destination"/>
    /// unless the code would take more than <paramref name="limit"/> octets: one
    /// pass where <see cref="EncodedLength"/> then <see cref="Encode"/> take two,
    /// for an encoder that only wants the code when it is shorter. May write up to
    /// <paramref name="limit"/> + 4 octets before it gives up.
    /// </summary>
    /// <returns>Octets written, or -1 when the code is longer than <paramref name="limit"/>.</returns>
    public static int EncodeAtMost(ReadOnlySpan<byte> source, Span<byte> destination, int limit)
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        ulong acc = 0;
        var bits = 0;
        var n = 0;
        foreach (var b in source)
        {
            int len = lengths[b];
            acc = (acc << len) | codes[b];
            bits += len;
            if (bits >= 32)
            {
                if (n >= limit) return -1;
                bits -= 32;
                BinaryPrimitives.WriteUInt32BigEndian(destination[n..], (uint)(acc >> bits));
                n += 4;
            }
        }
        if (n + ((bits + 7) >> 3) > limit) return -1;
        while (bits >= 8)
        {
            bits -= 8;
            destination[n++] = (byte)(acc >> bits);
        }
        if (bits > 0) destination[n++] = (byte)((acc << (8 - bits)) | (0xffu >> bits));
        return n;
    }

    /// <summary>
    /// The room <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, out int)"/> needs for <paramref name="encodedLength"/>
    /// Huffman-coded octets: the most they can decode to (5-bit codes), plus one
    /// octet the decoder may write past the end (it stores two at a time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxDecodedLength(int encodedLength) => (int)((long)encodedLength * 8 / 5) + 1;

    /// <summary>
    /// Decodes a Huffman-coded string into <paramref name="destination"/>
    /// (which must hold <see cref="MaxDecodedLength"/> octets).
    /// </summary>
    /// <param name="source">The coded octets.</param>
    /// <param name="destination">Where the decoded octets go.</param>
    /// <param name="written">The decoded length, when the result is <see cref="HuffmanStatus.Ok"/>.</param>
    /// <exception cref="ArgumentException">When <paramref name="destination"/> is shorter than <see cref="MaxDecodedLength"/>.</exception>
    public static HuffmanStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        Decode(source, destination, out written, out _);

    /// <summary>A decoded octet is one no field name may hold (RFC 9113 §8.2.1: 0x00-0x20, 'A'-'Z', ':', 0x7f-0xff).</summary>
    internal const int NotNameOctet = 0x80;

    /// <summary>A decoded octet is NUL, CR or LF, which no field value may hold (RFC 9113 §8.2.1).</summary>
    internal const int NotValueOctet = 0x40;

    /// <summary>
    /// <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, out int)"/>, telling also which classes of
    /// octets it decoded (<see cref="NotNameOctet"/>, <see cref="NotValueOctet"/>): the §8.2.1 checks
    /// of the octets, learnt while decoding them (the classes ride in the table's entries), so that the
    /// decoder need not scan the octets again.
    /// </summary>
    internal static HuffmanStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, out int written, out int classes) =>
        Decode(source, source.Length, destination, out written, out classes);

    /// <summary>
    /// <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/> of the first
    /// <paramref name="length"/> octets of <paramref name="window"/>; the octets after them
    /// (the rest of a header block) are read but never decoded, so that the string's last
    /// octets too arrive eight at a time.
    /// </summary>
    internal static HuffmanStatus Decode(ReadOnlySpan<byte> window, int length, Span<byte> destination, out int written, out int classes)
    {
        uint seen = 0;
        if ((uint)length > (uint)window.Length) throw new ArgumentOutOfRangeException(nameof(length));
        if (destination.Length < MaxDecodedLength(length)) throw new ArgumentException("destination too small", nameof(destination));
        // Indices are the top 12 bits of acc, so reads through a ref skip the bounds checks; the
        // input is read through a ref too, each read checked against length or window.Length
        // (one pointer for both: a second copy of it, as a span would be, cost a register).
        ref var table = ref MemoryMarshal.GetArrayDataReference(peek);
        ref var output = ref MemoryMarshal.GetReference(destination);
        ref var input = ref MemoryMarshal.GetReference(window);
        // The input not yet decoded is in the top `bits` bits of acc, oldest first. Below
        // them acc may hold the first bits of the next octet (a refill reads whole words and
        // counts whole octets); the next refill ORs the same bits there again.
        ulong acc = 0;
        var bits = 0;
        var pos = 0;
        nint n = 0;
        while (true)
        {
            if (pos + 8 <= window.Length)
            {
                // Octets past the string's end may land below the counted bits, as the
                // next octets of the string do: never counted, they are never decoded.
                var word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref input, pos));
                acc |= (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(word) : word) >> bits;
                var room = Math.Min((64 - bits) >> 3, length - pos);
                pos += room;
                bits += room << 3;
            }
            else
            {
                while (bits <= 56 && pos < length)
                {
                    acc |= (ulong)Unsafe.Add(ref input, pos++) << (56 - bits);
                    bits += 8;
                }
            }
            if (bits < PeekBits) break;
            do
            {
                // The step's latency chain is load, shift, shift: the entry's low 6 bits are the
                // bits its symbols take, and a 64-bit shift uses only those bits of its count.
                // The index is the shift's 64-bit result as is (a native int: no sign extension).
                var e = Unsafe.Add(ref table, (nint)(acc >> (64 - PeekBits)));
                if ((e & CountMask) == 0)
                {
                    // A code longer than 12 bits (up to 30): read more first unless the input is all in acc.
                    if (bits < 30 && pos < length) break;
                    var code = LongCode(acc, bits);
                    if (code < 0) { written = (int)n; classes = 0; return code == -1 ? HuffmanStatus.Eos : HuffmanStatus.BadPadding; }
                    seen |= octetClass[code & 0xff];
                    Unsafe.Add(ref output, n++) = (byte)code;
                    acc <<= code >> 16;
                    bits -= code >> 16;
                    continue;
                }
                // Both octets are written whatever the count (no branch to mispredict), in one
                // store: the second is overwritten by the next symbol when it is not one (see
                // MaxDecodedLength).
                if (BitConverter.IsLittleEndian)
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, n), (ushort)(e >> 8));
                else
                {
                    Unsafe.Add(ref output, n) = (byte)(e >> 8);
                    Unsafe.Add(ref output, n + 1) = (byte)(e >> 16);
                }
                seen |= e; // the classes of the symbols taken (bits 6-7), off the step's latency chain
                n += (nint)((e & CountMask) >> 24);
                acc <<= (int)e;
                // Not e & 0x3f: the compiler would share that with the shift's count (C# masks a
                // shift count with 63), putting an AND on the latency chain the shift alone avoids.
                bits -= (int)(e << 26 >> 26);
            }
            while (bits >= PeekBits);
            if (bits >= PeekBits || pos < length) continue;
            break;
        }
        // The input ends within 12 bits: look up what is left followed by ones (EOS, as
        // padding is) and keep only the symbols that end within the input.
        while (bits > 0)
        {
            var fill = PeekBits - bits;
            var e = Unsafe.Add(ref table, (int)(acc >> (64 - PeekBits)) | ((1 << fill) - 1));
            var first = (int)((e >> 26) & 0x1f);
            if ((e & CountMask) == 0 || first > bits) break;
            Unsafe.Add(ref output, n++) = (byte)(e >> 8);
            seen |= octetClass[(byte)(e >> 8)];
            var both = (int)(e & 0x3f);
            if ((e & CountMask) == 2 << 24 && both <= bits)
            {
                Unsafe.Add(ref output, n++) = (byte)(e >> 16);
                seen |= octetClass[(byte)(e >> 16)];
                acc <<= both;
                bits -= both;
            }
            else
            {
                acc <<= first;
                bits -= first;
            }
        }
        written = (int)n;
        classes = (int)(seen & (NotNameOctet | NotValueOctet));
        // §5.2: what remains is padding: at most 7 bits, all ones (the most significant bits of EOS).
        return bits == 0 || (bits <= 7 && (acc >> (64 - bits)) == (1UL << bits) - 1) ? HuffmanStatus.Ok : HuffmanStatus.BadPadding;
    }

    /// <summary>
    /// The state of <see cref="Check"/> before any octet: the root of the code tree.
    /// A state is the node of the tree the bits read so far lead to (0 at a symbol
    /// boundary), or <see cref="CheckFailed"/> once the string contained EOS.
    /// </summary>
    internal const int CheckStart = 0;

    /// <summary>The state of <see cref="Check"/> after EOS (§5.2: a decoding error).</summary>
    internal const int CheckFailed = -1;

    /// <summary>
    /// Checks Huffman-coded octets without decoding them, in pieces as they arrive
    /// (a string skipped unread, RFC 7541 §5.2): the state after
    /// <paramref name="octets"/>, from <paramref name="state"/> (<see cref="CheckStart"/>
    /// at the start of the string). A walk of the code tree four bits at a time: two
    /// table steps per octet, nothing written.
    /// </summary>
    internal static int Check(int state, ReadOnlySpan<byte> octets)
    {
        if (state < 0) return state;
        var steps = nibbleSteps;
        foreach (var b in octets)
        {
            state = steps[state << 4 | b >> 4];
            if (state < 0) return CheckFailed;
            state = steps[state << 4 | (b & 0xf)];
            if (state < 0) return CheckFailed;
        }
        return state;
    }

    /// <summary>
    /// §5.2: a string whose <see cref="Check"/> ended in <paramref name="state"/> is
    /// well coded: no EOS, and what follows its last symbol is at most 7 bits, all ones
    /// (the most significant bits of EOS).
    /// </summary>
    internal static bool CheckEnd(int state) => state >= 0 && paddingNodes[state];

    // nibbleSteps[node * 16 + nibble]: the node four bits lead to from node (leaves return
    // to the root), or -1 when they complete EOS.
    private static readonly short[] nibbleSteps = BuildNibbleSteps();

    // The nodes reached from the root by 0 to 7 one bits: where valid padding may end.
    private static readonly bool[] paddingNodes = BuildPaddingNodes();

    private static short[] BuildNibbleSteps()
    {
        var steps = new short[256 * 16];
        for (var node = 0; node < 256; node++)
            for (var nibble = 0; nibble < 16; nibble++)
            {
                var at = node;
                for (var i = 3; i >= 0 && at >= 0; i--)
                {
                    int next = tree[at * 2 + ((nibble >> i) & 1)];
                    at = next > 0 ? next : -next == HuffmanCode.Eos ? -1 : 0;
                }
                steps[node * 16 + nibble] = (short)at;
            }
        return steps;
    }

    private static bool[] BuildPaddingNodes()
    {
        var nodes = new bool[256];
        var at = 0;
        nodes[at] = true;
        for (var i = 0; i < 7; i++)
        {
            at = tree[at * 2 + 1];
            nodes[at] = true;
        }
        return nodes;
    }

    // Walks the code tree over the top `bits` bits of acc; returns the symbol (bits 0-7)
    // and the bits its code takes (bits 16 and up), or -1 for EOS, or -2 when the bits end
    // inside a code (padding over 7 bits, since more than 12 bits remain). The count is
    // returned, not passed by reference, so that the caller's loop keeps it in a register.
    // Inlined: a call inside the decoding loop made the JIT keep the loop's state in stack
    // slots across it (a store and reloads per step); inlined, the loop runs from registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LongCode(ulong acc, int bits)
    {
        var node = 0;
        for (var i = 0; i < bits; i++)
        {
            int next = tree[node * 2 + (int)(acc >> (63 - i) & 1)];
            if (next > 0) { node = next; continue; }
            var symbol = -next;
            if (symbol == HuffmanCode.Eos) return -1;
            return symbol | (i + 1) << 16;
        }
        return -2;
    }

    // tree[node * 2 + bit]: > 0 the next internal node, <= 0 the leaf of symbol -value (the root, 0, is never a child).
    private static short[] BuildTree()
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        var child = new short[256 * 2];
        var set = new bool[256 * 2];
        short nodes = 1;
        for (var sym = 0; sym <= HuffmanCode.Eos; sym++)
        {
            var node = 0;
            for (var i = lengths[sym] - 1; i >= 0; i--)
            {
                var slot = node * 2 + (int)((codes[sym] >> i) & 1);
                if (i == 0)
                {
                    child[slot] = (short)-sym;
                    set[slot] = true;
                }
                else
                {
                    if (!set[slot]) { child[slot] = nodes++; set[slot] = true; }
                    node = child[slot];
                }
            }
        }
        if (nodes != 256 || set.Any(s => !s)) throw new InvalidOperationException("Appendix B must give a complete code with 256 internal nodes");
        return child;
    }

    // For every 12-bit window: the first symbol whose code it starts with, and a second one after it, when they fit.
    private static uint[] BuildPeek()
    {
        var table = new uint[1 << PeekBits];
        for (var window = 0; window < table.Length; window++)
        {
            uint entry = 0, count = 0;
            var used = 0;
            while (count < 2)
            {
                var node = 0;
                var symbol = -1;
                for (var i = PeekBits - 1 - used; i >= 0; i--)
                {
                    int next = tree[node * 2 + ((window >> i) & 1)];
                    if (next > 0) { node = next; continue; }
                    symbol = -next;
                    used = PeekBits - i;
                    break;
                }
                if (symbol < 0 || symbol == HuffmanCode.Eos) break;
                entry = count == 0
                    ? (uint)symbol << 8 | (uint)used << 26 | (uint)used
                    : (entry & ~0x3fu) | (uint)symbol << 16 | (uint)used;
                entry |= octetClass[symbol];
                count++;
            }
            table[window] = entry | count << 24;
        }
        return table;
    }
}
