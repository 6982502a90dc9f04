using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reference.Hpack;

/// <summary>The outcome of decoding a Huffman-coded string (RFC 7541 §5.2).</summary>
public enum HuffmanStatus
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
/// time; decoding runs a finite-state machine over nibbles whose table is
/// built once from <see cref="HuffmanCode"/>: each of the 256 internal nodes
/// of the code tree is a state, and 4 input bits move from one state to the
/// next while emitting at most one symbol (the shortest code has 5 bits).
/// </summary>
public static class Huffman
{
    // Transition = next state (bits 0-7) | symbol (bits 8-15) | flags (bits 16-18).
    private const uint Emit = 1 << 16;
    private const uint Fail = 1 << 17;   // the nibble completes EOS
    private const uint Accept = 1 << 18; // the state is a valid end: at most 7 one bits since the last symbol

    private static readonly uint[] transitions = BuildTransitions();

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
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
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
                bits -= 32;
                BinaryPrimitives.WriteUInt32BigEndian(destination[n..], (uint)(acc >> bits));
                n += 4;
            }
        }
        while (bits >= 8)
        {
            bits -= 8;
            destination[n++] = (byte)(acc >> bits);
        }
        if (bits > 0) destination[n++] = (byte)((acc << (8 - bits)) | (0xffu >> bits));
        return n;
    }

    /// <summary>The most octets <paramref name="encodedLength"/> Huffman-coded octets can decode to (5-bit codes).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)((long)encodedLength * 8 / 5);

    /// <summary>
    /// Decodes a Huffman-coded string into <paramref name="destination"/>
    /// (which must hold <see cref="MaxDecodedLength"/> octets).
    /// </summary>
    /// <param name="source">The coded octets.</param>
    /// <param name="destination">Where the decoded octets go.</param>
    /// <param name="written">The decoded length, when the result is <see cref="HuffmanStatus.Ok"/>.</param>
    /// <exception cref="ArgumentException">When <paramref name="destination"/> is shorter than <see cref="MaxDecodedLength"/>.</exception>
    public static HuffmanStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        // The table has 256 * 16 entries and every index is (state < 256) * 16 + nibble, so reads
        // through a ref skip the bounds checks of this innermost loop.
        ref var table = ref MemoryMarshal.GetArrayDataReference(transitions);
        uint state = 0;
        var accept = true;
        var n = 0;
        if (destination.Length < MaxDecodedLength(source.Length)) throw new ArgumentException("destination too small", nameof(destination));
        foreach (var b in source)
        {
            var t = Unsafe.Add(ref table, (int)((state << 4) | (uint)(b >> 4)));
            if ((t & (Emit | Fail)) != 0)
            {
                if ((t & Fail) != 0) { written = n; return HuffmanStatus.Eos; }
                destination[n++] = (byte)(t >> 8);
            }
            t = Unsafe.Add(ref table, (int)(((t & 0xff) << 4) | (uint)(b & 0xf)));
            if ((t & (Emit | Fail)) != 0)
            {
                if ((t & Fail) != 0) { written = n; return HuffmanStatus.Eos; }
                destination[n++] = (byte)(t >> 8);
            }
            state = t & 0xff;
            accept = (t & Accept) != 0;
        }
        written = n;
        return accept ? HuffmanStatus.Ok : HuffmanStatus.BadPadding;
    }

    // Builds the code tree, then for every (internal node, nibble) walks four
    // bits down from that node, restarting at the root after each leaf.
    private static uint[] BuildTransitions()
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        // child[node * 2 + bit]: >= 0 an internal node, < 0 the leaf of symbol -(value + 1); 0 = unset (the root is never a child).
        var child = new int[256 * 2];
        var nodes = 1;
        for (var sym = 0; sym <= HuffmanCode.Eos; sym++)
        {
            var node = 0;
            for (var i = lengths[sym] - 1; i >= 0; i--)
            {
                var bit = (int)((codes[sym] >> i) & 1);
                ref var slot = ref child[node * 2 + bit];
                if (i == 0) slot = -(sym + 1);
                else
                {
                    if (slot == 0) slot = nodes++;
                    node = slot;
                }
            }
        }
        if (nodes != 256) throw new InvalidOperationException("Appendix B must give a complete code with 256 internal nodes");

        // Valid end states: the root and the nodes on the all-ones path up to depth 7 (§5.2 padding).
        var accepting = new bool[256];
        for (int node = 0, depth = 0; depth <= 7; depth++, node = child[node * 2 + 1]) accepting[node] = true;

        var table = new uint[256 * 16];
        for (var state = 0; state < 256; state++)
        {
            for (var nibble = 0; nibble < 16; nibble++)
            {
                var node = state;
                uint flags = 0, sym = 0;
                for (var i = 3; i >= 0 && (flags & Fail) == 0; i--)
                {
                    var next = child[node * 2 + ((nibble >> i) & 1)];
                    if (next >= 0) { node = next; continue; }
                    var leaf = -next - 1;
                    if (leaf == HuffmanCode.Eos) flags |= Fail;
                    else { flags |= Emit; sym = (uint)leaf; }
                    node = 0;
                }
                if (accepting[node]) flags |= Accept;
                table[state * 16 + nibble] = (uint)node | (sym << 8) | flags;
            }
        }
        return table;
    }
}
