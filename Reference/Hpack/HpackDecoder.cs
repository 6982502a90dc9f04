using System.Buffers;
using System.Runtime.CompilerServices;
using LanguageExt;

namespace Http2.Reference.Hpack;

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
        // The fields gather in the thread's scratch list and leave as one array of their
        // exact number: one allocation per block.
        var scratch = Scratch.Take();
        var a = new Walker(state, state.Table, state.SizeUpdateRequired, false, scratch.Fields, 0, false);
        var error = WalkOctets(ref a, block, limits, trace, final: true, 0, ref scratch.Name, ref scratch.Value);
        HeaderField[] fields = error is null && scratch.Fields.Count > 0 ? scratch.Fields.ToArray() : [];
        Scratch.Give(scratch);
        if (error is not null) return error;
        return new DecodedBlock(state.AfterBlock(a.Table), fields, a.Exceeded);
    }

    /// <summary>
    /// A thread's working space for decoding, kept between blocks and taken whole (so a
    /// nested call on the thread makes its own): the field list and the Huffman scratch
    /// of names and values (grown from the pool when a string needs more: a block rents
    /// nothing and clears no stack). One thread-static access per block: each one is a
    /// call into the runtime (<c>__tls_get_addr</c>), no longer a load.
    /// </summary>
    private sealed class Scratch
    {
        public readonly List<HeaderField> Fields = new(16);
        public byte[]? Name, Value;

        [ThreadStatic] private static Scratch? kept;

        public static Scratch Take()
        {
            var s = kept ?? new Scratch();
            kept = null;
            return s;
        }

        /// <summary>Keeps <paramref name="s"/> for the thread's next block, without what a large block grew.</summary>
        public static void Give(Scratch s)
        {
            s.Fields.Clear();
            if (s.Fields.Capacity > MaxKeptCapacity) return;
            Return(ref s.Name);
            Return(ref s.Value);
            kept = s;
        }

        private static void Return(ref byte[]? rented)
        {
            if (rented is null || rented.Length <= KeptScratch) return;
            ArrayPool<byte>.Shared.Return(rented);
            rented = null;
        }
    }

    // A list grown by a block of more fields than this is not kept.
    private const int MaxKeptCapacity = 1024;

    // Scratch up to this size is kept for the thread's next block; larger goes back to the pool.
    private const int KeptScratch = 4096;

    /// <summary>
    /// What one pass over octets of a block accumulates: the table (copied at
    /// its first change), the fields so far, and — when the octets end inside
    /// a representation and more fragments may follow — where that
    /// representation starts (<see cref="StopAt"/>) or how many octets of a
    /// discarded string are still to come (<see cref="Skip"/>).
    /// </summary>
    private struct Walker(DecoderState state, DynamicTable table, bool updateRequired, bool fieldSeen, List<HeaderField> fields, long listSize, bool exceeded)
    {
        public readonly DecoderState State = state;
        public DynamicTable Table = table;
        public bool Owned;
        public bool UpdateRequired = updateRequired;
        public bool FieldSeen = fieldSeen;
        public readonly List<HeaderField> Fields = fields;
        public long ListSize = listSize;
        public bool Exceeded = exceeded;
        public int StopAt = -1;
        public long Skip;
        public bool SkipThenValue;
        public bool SkipIndexing;
        public bool SkipHuffman;  // the skipped string is Huffman-coded: its octets are checked as they pass
        public int SkipCheck;     // the Huffman check's state after the octets skipped so far (Huffman.Check)

        public void Own()
        {
            if (!Owned) { Table = Table.Clone(); Owned = true; }
        }

        /// <summary>A field left out of the list: the list is over a limit from here on.</summary>
        public void Exceed()
        {
            Exceeded = true;
            Fields.Clear();
        }
    }

    /// <summary>One fragment's walk (<see cref="HeaderBlockProgress"/>), in the thread's scratch.</summary>
    private static HpackError? Walk(ref Walker a, ReadOnlySpan<byte> block, DecoderLimits limits, List<Representation>? trace, bool final, int offset)
    {
        var scratch = Scratch.Take();
        var error = WalkOctets(ref a, block, limits, trace, final, offset, ref scratch.Name, ref scratch.Value);
        Scratch.Give(scratch);
        return error;
    }

    private static HpackError? WalkOctets(
        ref Walker a, ReadOnlySpan<byte> block, DecoderLimits limits, List<Representation>? trace, bool final, int offset,
        ref byte[]? nameRented, ref byte[]? valueRented)
    {
        var state = a.State;
        var pos = 0;

        while (pos < block.Length)
        {
            var start = pos;
            var first = block[pos];

            if ((first & 0xe0) == 0x20)
            {
                // §6.3 dynamic table size update: only at the start of a block (§4.2).
                if (ReadInteger(block, ref pos, 5, out var newSize) is { } intError) return Truncated(ref a, final, start, intError, offset);
                if (a.FieldSeen)
                    return new HpackError("a dynamic table size update must come before the first field representation of a block", "4.2", offset + start);
                if (newSize > state.SettingsTableSize)
                    return new HpackError($"dynamic table size update to {newSize} exceeds the SETTINGS_HEADER_TABLE_SIZE limit {state.SettingsTableSize}", "6.3", offset + start);
                a.Own();
                a.Table.SetMaxSize(newSize);
                a.UpdateRequired = false;
                trace?.Add(new Representation(start, pos - start, RepresentationKind.SizeUpdate, 0, StringEncoding.None, StringEncoding.None, Bytes.Empty, Bytes.Empty, newSize));
                continue;
            }

            if (a.UpdateRequired)
                return new HpackError("the block must start with a dynamic table size update: the SETTINGS_HEADER_TABLE_SIZE limit shrank", "4.2", offset + start);
            a.FieldSeen = true;

            if ((first & 0x80) != 0)
            {
                // §6.1 indexed header field (an index below 127 is the one octet).
                int index;
                if ((first & 0x7f) != 0x7f) { index = first & 0x7f; pos++; }
                else if (ReadInteger(block, ref pos, 7, out index) is { } intError) return Truncated(ref a, final, start, intError, offset);
                if (Lookup(a.Table, index, start, out var field) is { } lookupError) return lookupError.Shift(offset);
                if (!a.Exceeded)
                {
                    if (a.Fields.Count >= limits.MaxFieldCount || a.ListSize + field.Size > limits.MaxHeaderListSize) a.Exceed();
                    else
                    {
                        a.Fields.Add(field);
                        a.ListSize += field.Size;
                    }
                }
                trace?.Add(new Representation(start, pos - start, RepresentationKind.Indexed, index, StringEncoding.None, StringEncoding.None, field.Name, field.Value, 0));
                continue;
            }

            // §6.2 literal header field: with incremental indexing (01), never indexed (0001), without indexing (0000).
            var kind = (first & 0x40) != 0 ? RepresentationKind.LiteralWithIncrementalIndexing
                : (first & 0x10) != 0 ? RepresentationKind.LiteralNeverIndexed
                : RepresentationKind.LiteralWithoutIndexing;
            var indexing = kind == RepresentationKind.LiteralWithIncrementalIndexing;
            if (ReadInteger(block, ref pos, indexing ? 6 : 4, out var nameIndex) is { } literalError)
                return Truncated(ref a, final, start, literalError, offset);

            Bytes sharedName = Bytes.Empty;
            var nameFacts = 0;
            var nameClasses = -1;
            ReadOnlySpan<byte> nameOctets;
            var nameEncoding = StringEncoding.None;
            if (nameIndex == 0)
            {
                if (ReadString(block, ref pos, ref nameRented, out nameOctets, out var nameHuffman, out var nameMissing, out nameClasses) is { } nameError)
                    return Incomplete(ref a, final, start, nameError, offset, nameMissing, nameHuffman, block[pos..], 0, indexing, limits, thenValue: true, block.Length);
                nameEncoding = nameHuffman ? StringEncoding.Huffman : StringEncoding.Raw;
            }
            else
            {
                if (Lookup(a.Table, nameIndex, start, out var entry) is { } lookupError) return lookupError.Shift(offset);
                sharedName = entry.Name;
                nameFacts = entry.Facts;
                nameOctets = sharedName.Span;
            }
            if (ReadString(block, ref pos, ref valueRented, out var valueOctets, out var valueHuffman, out var valueMissing, out var valueClasses) is { } valueError)
                return Incomplete(ref a, final, start, valueError, offset, valueMissing, valueHuffman, block[pos..], nameOctets.Length, indexing, limits, thenValue: false, block.Length);

            var entrySize = nameOctets.Length + valueOctets.Length + HeaderField.EntryOverhead;
            var collect = !a.Exceeded;
            if (collect && (nameOctets.Length > limits.MaxStringLength || valueOctets.Length > limits.MaxStringLength
                            || a.Fields.Count >= limits.MaxFieldCount || a.ListSize + entrySize > limits.MaxHeaderListSize))
            {
                a.Exceed();
                collect = false;
            }
            if (indexing) a.Own();

            HeaderField? literal = null;
            if (collect || trace is not null || (indexing && entrySize <= a.Table.MaxSize))
            {
                // The §8.2 verdicts are computed here, once, while the octets are at hand (a
                // table's name brings its own); the field is never written after it is made.
                literal = nameIndex == 0
                    ? HeaderField.Copy(nameOctets, valueOctets, kind == RepresentationKind.LiteralNeverIndexed,
                        FieldFacts.WithValue(FieldFacts.OfName(nameOctets, nameClasses), valueOctets, valueClasses))
                    : new HeaderField(sharedName, Materialize(valueOctets), kind == RepresentationKind.LiteralNeverIndexed,
                        FieldFacts.WithValue(nameFacts != 0 ? nameFacts : FieldFacts.OfName(nameOctets), valueOctets, valueClasses));
                if (indexing) a.Table.Add(literal);
                if (collect)
                {
                    a.Fields.Add(literal);
                    a.ListSize += entrySize;
                }
            }
            else if (indexing)
            {
                a.Table.EvictAll(); // §4.4: an entry larger than the table empties it
            }
            trace?.Add(new Representation(start, pos - start, kind, nameIndex, nameEncoding,
                valueHuffman ? StringEncoding.Huffman : StringEncoding.Raw, literal!.Name, literal.Value, 0));
        }

        if (final && a.UpdateRequired)
            return new HpackError("the block must start with a dynamic table size update: the SETTINGS_HEADER_TABLE_SIZE limit shrank", "4.2", offset + block.Length);
        return null;
    }

    /// <summary>
    /// The octets end inside a representation: an error at the end of the
    /// block; otherwise the representation is carried to the next fragment.
    /// </summary>
    private static HpackError? Truncated(ref Walker a, bool final, int start, HpackError error, int offset)
    {
        if (final || !MoreCouldCure(error)) return error.Shift(offset);
        a.StopAt = start;
        return null;
    }

    /// <summary>
    /// The octets end inside a string literal. When more fragments may follow
    /// and the field can be neither kept (the list is or would be over a
    /// limit) nor added to the table (not indexed, or larger than the table,
    /// which it would empty, §4.4), the rest of the string is skipped as it
    /// arrives rather than buffered: a 70 KB field costs no memory. Otherwise
    /// the representation is carried (bounded by the limits and the table).
    /// A string so skipped is still checked (RFC 7541 §5.2: no EOS, padding of at
    /// most 7 one bits) as its octets pass (<see cref="Huffman.Check"/>), without
    /// decoding them: <paramref name="present"/> now, the rest as it arrives.
    /// </summary>
    private static HpackError? Incomplete(ref Walker a, bool final, int start, HpackError error, int offset,
        int missing, bool huffman, ReadOnlySpan<byte> present, int nameLength, bool indexing, DecoderLimits limits, bool thenValue, int blockLength)
    {
        if (missing <= 0) return Truncated(ref a, final, start, error, offset);
        if (final) return error.Shift(offset);
        // The whole string is at least as long as its missing octets (the present ones are at the end of the block).
        if (!Discardable(ref a, nameLength, MinimumLength(huffman, missing), indexing, limits))
        {
            a.StopAt = start;
            return null;
        }
        var check = huffman ? Huffman.Check(Huffman.CheckStart, present) : Huffman.CheckStart;
        if (check == Huffman.CheckFailed) return new HpackError(HuffmanEos, "5.2", offset + start);
        a.Exceed();
        a.Skip = missing;
        a.SkipThenValue = thenValue;
        a.SkipIndexing = indexing;
        a.SkipHuffman = huffman;
        a.SkipCheck = check;
        a.StopAt = blockLength;
        return null;
    }

    // §5.2's decoding errors of a Huffman-coded string.
    private const string HuffmanEos = "a Huffman-coded string contains the EOS symbol";
    private const string HuffmanPadding = "Huffman padding is longer than 7 bits or not the most significant bits of EOS";

    /// <summary>The §5.2 error of a string whose <see cref="Huffman.Check"/> ended in <paramref name="check"/> (null: well coded).</summary>
    private static HpackError? HuffmanCheckError(int check, long offset) =>
        Huffman.CheckEnd(check) ? null : new HpackError(check == Huffman.CheckFailed ? HuffmanEos : HuffmanPadding, "5.2", (int)Math.Min(int.MaxValue, offset));

    // Huffman codes are 5 to 30 bits (RFC 7541 Appendix B): n coded octets decode to at least n * 8 / 30 octets.
    private static long MinimumLength(bool huffman, long coded) => huffman ? coded * 8 / 30 : coded;

    private static bool Discardable(ref Walker a, long nameLength, long atLeast, bool indexing, DecoderLimits limits)
    {
        var entry = nameLength + atLeast + HeaderField.EntryOverhead;
        var notKept = a.Exceeded || atLeast > limits.MaxStringLength || a.Fields.Count >= limits.MaxFieldCount
            || a.ListSize + entry > limits.MaxHeaderListSize;
        var notTabled = !indexing || entry > a.Table.MaxSize;
        return notKept && notTabled;
    }

    private static HpackError Shift(this HpackError e, int offset) => offset == 0 ? e : e with { Offset = e.Offset + offset };

    private static Bytes Materialize(ReadOnlySpan<byte> octets) => octets.IsEmpty ? Bytes.Empty : new Bytes(octets.ToArray());

    // §2.3.3: 1-61 static, 62 onward dynamic (newest first); 0 and beyond the end are errors.
    // Most indices are static (§2.3.1): that look-up is inlined, the rest is not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HpackError? Lookup(DynamicTable table, int index, int offset, out HeaderField field)
    {
        if ((uint)(index - 1) < StaticTable.Length)
        {
            field = StaticTable.At(index);
            return null;
        }
        return LookupDynamic(table, index, offset, out field);
    }

    private static HpackError? LookupDynamic(DynamicTable table, int index, int offset, out HeaderField field)
    {
        field = null!;
        if (index == 0) return new HpackError("index 0 is not used", "6.1", offset);
        var i = index - StaticTable.Length - 1;
        if (i >= table.Count)
            return new HpackError($"index {index} is beyond the static and dynamic tables ({StaticTable.Length + table.Count} entries)", "2.3.3", offset);
        field = table.At(i);
        return null;
    }

    private static HpackError? ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        // Most integers are their one prefix octet (§5.1).
        var mask = (1 << prefixBits) - 1;
        if ((uint)pos < (uint)block.Length && (block[pos] & mask) != mask)
        {
            value = block[pos] & mask;
            pos++;
            return null;
        }
        var status = Integer.TryRead(block[pos..], prefixBits, out value, out var consumed);
        switch (status)
        {
            case IntegerStatus.Ok:
                pos += consumed;
                return null;
            case IntegerStatus.Truncated:
                return new HpackError(EndsInsideInteger, "5.1", pos);
            default:
                return new HpackError($"integer {Integer.LimitBroken(status)}", "5.1", pos);
        }
    }

    // The errors that more octets could cure (the block continues in the next fragment).
    private const string EndsInsideInteger = "the block ends inside an integer";
    private const string EndsInsideLength = "the block ends inside a string length";

    private static bool MoreCouldCure(HpackError e) => ReferenceEquals(e.Rule, EndsInsideInteger) || ReferenceEquals(e.Rule, EndsInsideLength);

    // §5.2: reads a string literal; Huffman strings are decoded into scratch
    // space (stack, or a pooled array bounded by the octets present).
    private static HpackError? ReadString(ReadOnlySpan<byte> block, scoped ref int pos, scoped ref byte[]? rented,
        out ReadOnlySpan<byte> octets, out bool huffman, out int missing, out int classes)
    {
        octets = default;
        missing = 0;
        classes = -1; // unknown: a raw string's octets are checked when its field is made
        var start = pos;
        int length;
        if ((uint)pos < (uint)block.Length && (block[pos] & 0x7f) != 0x7f)
        {
            // A length under 127: the one octet with the H bit (§5.2).
            huffman = (block[pos] & StringLiteral.HuffmanFlag) != 0;
            length = block[pos] & 0x7f;
            pos++;
        }
        else
        {
            var status = StringLiteral.TryReadHeader(block[pos..], out huffman, out length, out var headerLength);
            if (status != IntegerStatus.Ok)
                return status == IntegerStatus.Truncated
                    ? new HpackError(EndsInsideLength, "5.2", start)
                    : new HpackError($"string length {Integer.LimitBroken(status)}", "5.1", start);
            pos += headerLength;
        }
        if (length > block.Length - pos)
        {
            missing = length - (block.Length - pos); // octets of the string still to come
            return new HpackError($"string of {length} octets extends beyond the end of the block ({block.Length - pos} left)", "5.2", start);
        }
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
        switch (Huffman.Decode(block[(pos - length)..], length, scratch, out var written, out classes))
        {
            case HuffmanStatus.Ok:
                octets = scratch[..written];
                return null;
            case HuffmanStatus.Eos:
                return new HpackError(HuffmanEos, "5.2", start);
            default:
                return new HpackError(HuffmanPadding, "5.2", start);
        }
    }
}
