using LanguageExt;

namespace Http2.Reference.Hpack;

/// <summary>
/// A header block being decoded as its fragments arrive (RFC 9113 §4.3: a
/// HEADERS or PUSH_PROMISE and its CONTINUATIONs). A value: each fragment
/// returns a new one and leaves this one valid (a replay from an old value
/// decodes identically). It holds the table so far, the fields so far (none
/// once the list is over a limit) and at most one incomplete representation
/// — bounded by the list limit and the table, since a string that can be
/// neither kept nor indexed is skipped as it arrives instead of held.
/// </summary>
public sealed class HeaderBlockProgress
{
    internal DecoderState State = null!;           // the context the block started from
    internal DynamicTable Table = null!;           // the table after the representations decoded so far
    internal bool UpdateRequired;
    internal bool FieldSeen;
    internal HeaderField[] Fields = [];
    internal long ListSize;
    internal bool Exceeded;
    internal byte[] Carry = [];                    // octets of an incomplete representation (or value string, with DiscardValue)
    internal bool DiscardValue;                    // what comes next is the value string of a field being discarded
    internal long Skip;                            // octets of a discarded string still to come
    internal bool SkipThenValue;                   // the skipped string is a name: its value follows, discarded too
    internal bool SkipIndexing;                    // the discarded field was to be indexed: it empties the table (§4.4)
    internal bool SkipHuffman;                     // the skipped string is Huffman-coded: checked as it passes (RFC 7541 §5.2)
    internal int SkipCheck;                        // the state of that check (Huffman.Check)
    internal long Octets;                          // octets of the block received so far

    internal HeaderBlockProgress() { }

    /// <summary>Octets of the block received so far.</summary>
    public long OctetsReceived => Octets;

    /// <summary>Fields decoded so far (0 once the list went over a limit).</summary>
    public int FieldCount => Fields.Length;

    /// <summary>The list already went over a limit of <see cref="DecoderLimits"/>: the block will end with <see cref="DecodedBlock.ListSizeExceeded"/>.</summary>
    public bool ListSizeExceeded => Exceeded;

    /// <summary>Octets held for an incomplete representation (what this value costs beyond the table).</summary>
    public int HeldOctets => Carry.Length;
}

public static partial class HpackDecoder
{
    /// <summary>Starts decoding a header block from <paramref name="state"/>; feed it with <see cref="Continue"/> and <see cref="End"/>.</summary>
    public static HeaderBlockProgress Begin(DecoderState state) => new()
    {
        State = state,
        Table = state.Table,
        UpdateRequired = state.SizeUpdateRequired,
    };

    /// <summary>
    /// Decodes one fragment that is not the last of its block: every
    /// representation it completes is applied (fields, table), an incomplete
    /// one at its end waits for the next fragment. Errors are those of
    /// <see cref="Decode"/>, found as early as the octets allow.
    /// </summary>
    public static Either<HpackError, HeaderBlockProgress> Continue(HeaderBlockProgress progress, ReadOnlySpan<byte> fragment, DecoderLimits limits)
    {
        var (error, next, _) = Feed(progress, fragment, limits, final: false);
        return error is not null ? error : next!;
    }

    /// <summary>
    /// Decodes the last fragment of a block (END_HEADERS): the same result as
    /// <see cref="Decode"/> on the concatenated fragments. A string skipped
    /// unread (see <see cref="HeaderBlockProgress"/>) is still checked for the
    /// §5.2 Huffman errors as it passes; an error may then name another offset
    /// than one read would.
    /// </summary>
    public static Either<HpackError, DecodedBlock> End(HeaderBlockProgress progress, ReadOnlySpan<byte> fragment, DecoderLimits limits)
    {
        var (error, _, done) = Feed(progress, fragment, limits, final: true);
        return error is not null ? error : done!;
    }

    private static (HpackError?, HeaderBlockProgress?, DecodedBlock?) Feed(HeaderBlockProgress p, ReadOnlySpan<byte> fragment, DecoderLimits limits, bool final)
    {
        var a = new Walker(p.State, p.Table, p.UpdateRequired, p.FieldSeen, new List<HeaderField>(p.Fields), p.ListSize, p.Exceeded);
        var skip = p.Skip;
        var discardValue = p.DiscardValue;
        var fpos = 0;
        if (skip > 0)
        {
            var n = (int)Math.Min(skip, fragment.Length);
            var check = p.SkipHuffman ? Huffman.Check(p.SkipCheck, fragment[..n]) : Huffman.CheckStart;
            if (check == Huffman.CheckFailed) return (HuffmanCheckError(check, p.Octets), null, null);
            skip -= n;
            fpos = n;
            if (skip > 0)
            {
                if (final) return (new HpackError($"the block ends {skip} octets before the end of a string", "5.2", (int)Math.Min(int.MaxValue, p.Octets + fragment.Length)), null, null);
                return (null, With(p, a, [], false, skip, p.SkipThenValue, p.SkipIndexing, fragment.Length, p.SkipHuffman, check), null);
            }
            if (p.SkipHuffman && HuffmanCheckError(check, p.Octets + n) is { } badEnd) return (badEnd, null, null);
            if (p.SkipThenValue) discardValue = true;
            else if (p.SkipIndexing) { a.Own(); a.Table.EvictAll(); } // §4.4: an entry larger than the table empties it
        }
        var rest = fragment[fpos..];
        ReadOnlySpan<byte> work = p.Carry.Length == 0 ? rest : [.. p.Carry, .. rest];
        var workOffset = p.Octets + fpos - p.Carry.Length;
        var pos = 0;
        if (discardValue)
        {
            var status = StringLiteral.TryReadHeader(work, out var huffman, out var length, out var headerLength);
            if (status is not (IntegerStatus.Ok or IntegerStatus.Truncated))
                return (new HpackError($"string length {Integer.LimitBroken(status)}", "5.1", (int)workOffset), null, null);
            if (status == IntegerStatus.Truncated || length > work.Length - headerLength)
            {
                if (final) return (new HpackError("the block ends inside a string", "5.2", (int)workOffset), null, null);
                if (status == IntegerStatus.Truncated) return (null, With(p, a, work.ToArray(), true, 0, false, p.SkipIndexing, fragment.Length, false, 0), null);
                var started = huffman ? Huffman.Check(Huffman.CheckStart, work[headerLength..]) : Huffman.CheckStart;
                if (started == Huffman.CheckFailed) return (HuffmanCheckError(started, workOffset), null, null);
                return (null, With(p, a, [], false, length - (work.Length - headerLength), false, p.SkipIndexing, fragment.Length, huffman, started), null);
            }
            if (huffman && HuffmanCheckError(Huffman.Check(Huffman.CheckStart, work.Slice(headerLength, length)), workOffset) is { } badValue)
                return (badValue, null, null);
            pos = headerLength + length;
            if (p.SkipIndexing) { a.Own(); a.Table.EvictAll(); }
        }
        var error = Walk(ref a, work[pos..], limits, null, final, (int)(workOffset + pos));
        if (error is not null) return (error, null, null);
        if (final) return (null, null, new DecodedBlock(p.State.AfterBlock(a.Table), a.Fields, a.Exceeded));
        var carry = a.StopAt >= 0 ? work[(pos + a.StopAt)..].ToArray() : [];
        return (null, With(p, a, carry, false, a.Skip, a.SkipThenValue, a.SkipIndexing, fragment.Length, a.SkipHuffman, a.SkipCheck), null);
    }

    private static HeaderBlockProgress With(HeaderBlockProgress p, in Walker a, byte[] carry, bool discardValue, long skip, bool skipThenValue, bool skipIndexing, int received,
        bool skipHuffman, int skipCheck) => new()
    {
        State = p.State,
        Table = a.Table,
        UpdateRequired = a.UpdateRequired,
        FieldSeen = a.FieldSeen,
        Fields = [.. a.Fields],
        ListSize = a.ListSize,
        Exceeded = a.Exceeded,
        Carry = carry,
        DiscardValue = discardValue,
        Skip = skip,
        SkipThenValue = skipThenValue,
        SkipIndexing = skipIndexing,
        SkipHuffman = skipHuffman,
        SkipCheck = skipCheck,
        Octets = p.Octets + received,
    };
}
