using System.Buffers;
using LanguageExt;

namespace Reference.Hpack;

/// <summary>
/// The HPACK decoder (RFC 7541 §3.2, §6) as a function: a state and one
/// complete header block in, a new state and the fields (or an error) out.
/// The input state is never modified.
/// </summary>
public static partial class HpackDecoder
{
    private const int SmallScratch = 256;

    /// <summary>
    /// Decodes one complete header block (the concatenated fragments of a
    /// HEADERS or PUSH_PROMISE frame and its CONTINUATIONs, RFC 9113 §4.3).
    /// Never throws for any input: every malformed block is an
    /// <see cref="HpackError"/> (a COMPRESSION_ERROR) naming the rule, the
    /// section and the offset of the representation at fault.
    /// </summary>
    public static Either<HpackError, DecodedBlock> Decode(DecoderState state, ReadOnlySpan<byte> block, DecoderLimits limits) =>
        Run(state, block, limits, null);

    internal static Either<HpackError, DecodedBlock> Run(DecoderState state, ReadOnlySpan<byte> block, DecoderLimits limits, List<Representation>? trace)
    {
        // Huffman strings decode into pooled scratch, rented at the first one: a block of
        // indexed fields only (most requests after the first) rents nothing and clears no stack.
        byte[]? nameRented = null, valueRented = null;
        try
        {
            return Walk(state, block, limits, trace, ref nameRented, ref valueRented);
        }
        finally
        {
            if (nameRented is not null) ArrayPool<byte>.Shared.Return(nameRented);
            if (valueRented is not null) ArrayPool<byte>.Shared.Return(valueRented);
        }
    }

    private static Either<HpackError, DecodedBlock> Walk(
        DecoderState state, ReadOnlySpan<byte> block, DecoderLimits limits, List<Representation>? trace,
        ref byte[]? nameRented, ref byte[]? valueRented)
    {
        var table = state.Table;
        var owned = false;              // copy-on-write: the table is copied at its first change in this block
        var updateRequired = state.SizeUpdateRequired;
        var fieldSeen = false;
        var fields = new List<HeaderField>(Math.Min(block.Length, 16));
        long listSize = 0;
        var exceeded = false;
        var pos = 0;

        while (pos < block.Length)
        {
            var start = pos;
            var first = block[pos];

            if ((first & 0xe0) == 0x20)
            {
                // §6.3 dynamic table size update: only at the start of a block (§4.2).
                if (ReadInteger(block, ref pos, 5, out var newSize) is { } intError) return intError;
                if (fieldSeen)
                    return new HpackError("a dynamic table size update must come before the first field representation of a block", "4.2", start);
                if (newSize > state.SettingsTableSize)
                    return new HpackError($"dynamic table size update to {newSize} exceeds the SETTINGS_HEADER_TABLE_SIZE limit {state.SettingsTableSize}", "6.3", start);
                if (!owned) { table = table.Clone(); owned = true; }
                table.SetMaxSize(newSize);
                updateRequired = false;
                trace?.Add(new Representation(start, pos - start, RepresentationKind.SizeUpdate, 0, StringEncoding.None, StringEncoding.None, Bytes.Empty, Bytes.Empty, newSize));
                continue;
            }

            if (updateRequired)
                return new HpackError("the block must start with a dynamic table size update: the SETTINGS_HEADER_TABLE_SIZE limit shrank", "4.2", start);
            fieldSeen = true;

            if ((first & 0x80) != 0)
            {
                // §6.1 indexed header field (an index below 127 is the one octet).
                int index;
                if ((first & 0x7f) != 0x7f) { index = first & 0x7f; pos++; }
                else if (ReadInteger(block, ref pos, 7, out index) is { } intError) return intError;
                if (Lookup(table, index, start) is var (field, lookupError) && lookupError is not null) return lookupError;
                if (!exceeded)
                {
                    if (fields.Count >= limits.MaxFieldCount || listSize + field!.Size > limits.MaxHeaderListSize)
                    {
                        exceeded = true;
                        fields.Clear();
                    }
                    else
                    {
                        fields.Add(field);
                        listSize += field.Size;
                    }
                }
                trace?.Add(new Representation(start, pos - start, RepresentationKind.Indexed, index, StringEncoding.None, StringEncoding.None, field!.Name, field.Value, 0));
                continue;
            }

            // §6.2 literal header field: with incremental indexing (01), never indexed (0001), without indexing (0000).
            var kind = (first & 0x40) != 0 ? RepresentationKind.LiteralWithIncrementalIndexing
                : (first & 0x10) != 0 ? RepresentationKind.LiteralNeverIndexed
                : RepresentationKind.LiteralWithoutIndexing;
            if (ReadInteger(block, ref pos, kind == RepresentationKind.LiteralWithIncrementalIndexing ? 6 : 4, out var nameIndex) is { } literalError)
                return literalError;

            Bytes sharedName = Bytes.Empty;
            ReadOnlySpan<byte> nameOctets;
            var nameEncoding = StringEncoding.None;
            if (nameIndex == 0)
            {
                if (ReadString(block, ref pos, ref nameRented, out nameOctets, out var nameHuffman) is { } nameError) return nameError;
                nameEncoding = nameHuffman ? StringEncoding.Huffman : StringEncoding.Raw;
            }
            else
            {
                if (Lookup(table, nameIndex, start) is var (entry, lookupError) && lookupError is not null) return lookupError;
                sharedName = entry!.Name;
                nameOctets = sharedName.Span;
            }
            if (ReadString(block, ref pos, ref valueRented, out var valueOctets, out var valueHuffman) is { } valueError) return valueError;

            var entrySize = nameOctets.Length + valueOctets.Length + HeaderField.EntryOverhead;
            var collect = !exceeded;
            if (collect && (nameOctets.Length > limits.MaxStringLength || valueOctets.Length > limits.MaxStringLength
                            || fields.Count >= limits.MaxFieldCount || listSize + entrySize > limits.MaxHeaderListSize))
            {
                exceeded = true;
                collect = false;
                fields.Clear();
            }
            var indexing = kind == RepresentationKind.LiteralWithIncrementalIndexing;
            if (indexing && !owned) { table = table.Clone(); owned = true; }

            HeaderField? literal = null;
            if (collect || trace is not null || (indexing && entrySize <= table.MaxSize))
            {
                literal = nameIndex == 0
                    ? HeaderField.Copy(nameOctets, valueOctets, kind == RepresentationKind.LiteralNeverIndexed)
                    : new HeaderField(sharedName, Materialize(valueOctets), kind == RepresentationKind.LiteralNeverIndexed);
                if (indexing) table.Add(literal);
                if (collect)
                {
                    fields.Add(literal);
                    listSize += entrySize;
                }
            }
            else if (indexing)
            {
                table.EvictAll(); // §4.4: an entry larger than the table empties it
            }
            trace?.Add(new Representation(start, pos - start, kind, nameIndex, nameEncoding,
                valueHuffman ? StringEncoding.Huffman : StringEncoding.Raw, literal!.Name, literal.Value, 0));
        }

        if (updateRequired)
            return new HpackError("the block must start with a dynamic table size update: the SETTINGS_HEADER_TABLE_SIZE limit shrank", "4.2", block.Length);
        return new DecodedBlock(state.AfterBlock(table), fields, exceeded);
    }

    private static Bytes Materialize(ReadOnlySpan<byte> octets) => octets.IsEmpty ? Bytes.Empty : new Bytes(octets.ToArray());

    // §2.3.3: 1-61 static, 62 onward dynamic (newest first); 0 and beyond the end are errors.
    private static (HeaderField? Field, HpackError? Error) Lookup(DynamicTable table, int index, int offset)
    {
        if (index == 0) return (null, new HpackError("index 0 is not used", "6.1", offset));
        if (index <= StaticTable.Length) return (StaticTable.At(index), null);
        var i = index - StaticTable.Length - 1;
        return i < table.Count
            ? (table.At(i), null)
            : (null, new HpackError($"index {index} is beyond the static and dynamic tables ({StaticTable.Length + table.Count} entries)", "2.3.3", offset));
    }

    private static HpackError? ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        var status = Integer.TryRead(block[pos..], prefixBits, out value, out var consumed);
        switch (status)
        {
            case IntegerStatus.Ok:
                pos += consumed;
                return null;
            case IntegerStatus.Truncated:
                return new HpackError("the block ends inside an integer", "5.1", pos);
            default:
                return new HpackError($"integer {Integer.LimitBroken(status)}", "5.1", pos);
        }
    }

    // §5.2: reads a string literal; Huffman strings are decoded into scratch
    // space (stack, or a pooled array bounded by the octets present).
    private static HpackError? ReadString(ReadOnlySpan<byte> block, scoped ref int pos, scoped ref byte[]? rented,
        out ReadOnlySpan<byte> octets, out bool huffman)
    {
        octets = default;
        var start = pos;
        var status = StringLiteral.TryReadHeader(block[pos..], out huffman, out var length, out var headerLength);
        if (status != IntegerStatus.Ok)
            return status == IntegerStatus.Truncated
                ? new HpackError("the block ends inside a string length", "5.2", start)
                : new HpackError($"string length {Integer.LimitBroken(status)}", "5.1", start);
        pos += headerLength;
        if (length > block.Length - pos)
            return new HpackError($"string of {length} octets extends beyond the end of the block ({block.Length - pos} left)", "5.2", start);
        var coded = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            octets = coded;
            return null;
        }
        var max = Huffman.MaxDecodedLength(length);
        if (rented is null || rented.Length < max)
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            rented = ArrayPool<byte>.Shared.Rent(Math.Max(max, SmallScratch));
        }
        Span<byte> scratch = rented;
        switch (Huffman.Decode(coded, scratch, out var written))
        {
            case HuffmanStatus.Ok:
                octets = scratch[..written];
                return null;
            case HuffmanStatus.Eos:
                return new HpackError("a Huffman-coded string contains the EOS symbol", "5.2", start);
            default:
                return new HpackError("Huffman padding is longer than 7 bits or not the most significant bits of EOS", "5.2", start);
        }
    }
}
