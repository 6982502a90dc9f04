using Http2.Reference;
using Http2.Reference.Hpack;

namespace HpackStories;

/// <summary>
/// One case of a story: a header block (<see cref="Wire"/>, absent in
/// raw-data stories, which are encoder input) and the fields it carries.
/// </summary>
/// <param name="Seqno">The case's <c>seqno</c>, or its position when the file has none.</param>
/// <param name="HeaderTableSize">
/// SETTINGS_HEADER_TABLE_SIZE in force from this case on, when the case gives
/// one (<c>null</c> and an absent key both mean "unchanged"; 4096 before the first).
/// </param>
/// <param name="Wire">The header block, when the case gives one.</param>
/// <param name="Headers">The fields, in order (names may repeat).</param>
public sealed record StoryCase(int Seqno, int? HeaderTableSize, Bytes? Wire, IReadOnlyList<HeaderField> Headers)
{
    /// <summary>Octets of the names and values (what compression ratios divide by).</summary>
    public long RawLength => Headers.Sum(f => (long)f.Name.Length + f.Value.Length);
}
