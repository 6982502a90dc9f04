using LanguageExt;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Catalogue.Dsl;
using static Conformance.Suite.Client.HpackBytes;

namespace Conformance.Suite.Catalogue;

/// <summary>
/// RFC 7541 as a server's decoder must apply it: representations it must
/// accept (answered requests) and decoding errors, which RFC 9113 §4.3 makes
/// connection errors of type COMPRESSION_ERROR.
/// </summary>
public static class Rfc7541
{
    /// <summary>A request with one extra representation after the (literal) pseudo-header fields.</summary>
    static Step RequestWith(string what, Func<Session, byte[]> representation) =>
        Headers(1, what, s => [.. Block(Pseudo(s)), .. representation(s)]);

    static Case Accepts(string section, int n, string origin, string requirement, string what, Func<Session, byte[]> representation) =>
        Hpack(section, n, origin, requirement, Handshake(), RequestWith(what, representation), Response(1));

    static Case Rejects(string section, int n, string origin, string requirement, string what, Func<Session, byte[]> block) =>
        Hpack(section, n, origin, requirement + " A decoding error MUST be treated as a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).",
            Handshake(), Headers(1, what, block), ConnectionError(COMPRESSION_ERROR));

    static uint HeaderTableSize(Session s) => s.Setting(SettingId.HeaderTableSize).IfNone(4096);

    static byte[] IndexedRequest(Session s) =>
        [.. Indexed(2), .. Indexed(s.Target.Tls ? 7 : 6),
         .. s.Target.Path == "/" ? Indexed(4) : LiteralIndexedName(4, String(s.Target.Path)),
         .. LiteralIndexedName(1, String(s.Target.Authority))];

    public static Seq<Case> All => Seq(
        Rejects("2.3.3", 1, "h2spec hpack/2.3.3/1",
            "Indices strictly greater than the sum of the lengths of both tables MUST be treated as a decoding error (indexed field 70, empty dynamic table).",
            "request with indexed field 70", s => [.. Block(Pseudo(s)), .. Indexed(70)]),
        Rejects("2.3.3", 2, "h2spec hpack/2.3.3/2",
            "Indices strictly greater than the sum of the lengths of both tables MUST be treated as a decoding error (literal with name index 70).",
            "request with a literal whose name index is 70", s => [.. Block(Pseudo(s)), .. LiteralIndexedName(70, String("x"))]),
        Rejects("4.2", 1, "h2spec hpack/6.3/1",
            "The new maximum size of a dynamic table size update MUST be lower than or equal to the limit (SETTINGS_HEADER_TABLE_SIZE); a value that exceeds this limit MUST be treated as a decoding error.",
            "request starting with a size update one above SETTINGS_HEADER_TABLE_SIZE", s => [.. SizeUpdate(HeaderTableSize(s) + 1), .. Block(Pseudo(s))]),
        Rejects("5.1", 1, "extra",
            "Integer encodings that exceed implementation limits — in value or octet length — MUST be treated as decoding errors.",
            "request with an indexed field whose index takes 10 continuation octets", s => [.. Block(Pseudo(s)), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        Rejects("5.2", 1, "h2spec hpack/5.2/3",
            "A Huffman-encoded string literal containing the EOS symbol MUST be treated as a decoding error.",
            "request with a Huffman value containing EOS", s => [.. Block(Pseudo(s)), .. LiteralNewName(String("x-test"), Huffman([0xff, 0xff, 0xff, 0xff]))]),
        Rejects("5.2", 2, "h2spec hpack/5.2/1",
            "A padding strictly longer than 7 bits MUST be treated as a decoding error.",
            "request with a Huffman value \"a\" followed by 11 bits of padding", s => [.. Block(Pseudo(s)), .. LiteralNewName(String("x-test"), Huffman([0x1f, 0xff]))]),
        Rejects("5.2", 3, "h2spec hpack/5.2/2",
            "A padding not corresponding to the most significant bits of the code for the EOS symbol MUST be treated as a decoding error.",
            "request with a Huffman value \"a\" padded with zeros", s => [.. Block(Pseudo(s)), .. LiteralNewName(String("x-test"), Huffman([0x18]))]),
        Rejects("6.1", 1, "h2spec hpack/6.1/1",
            "The index value of 0 is not used; it MUST be treated as a decoding error if found in an indexed header field representation.",
            "request with indexed field 0", s => [.. Block(Pseudo(s)), .. Indexed(0)]),
        Hpack("6.1", 2, "h2spec generic/5/1",
            "An indexed header field representation identifies an entry in either the static table or the dynamic table (a request made of static-table entries is answered).",
            Handshake(), Headers(1, "GET request from indexed fields", IndexedRequest), Response(1)),
        Accepts("6.2.1", 1, "h2spec generic/5/2", "A literal header field with incremental indexing and an indexed name is accepted.",
            "request with cache-control (name index 24) incrementally indexed", _ => LiteralIndexedName(24, String("no-cache"), Literal.Incremental)),
        Accepts("6.2.1", 2, "h2spec generic/5/3", "A literal header field with incremental indexing, an indexed name and a Huffman-coded value is accepted.",
            "request with cache-control (name index 24), Huffman value, incrementally indexed", _ => LiteralIndexedName(24, Huffman(Examples.NoCache), Literal.Incremental)),
        Accepts("6.2.1", 3, "h2spec generic/5/4", "A literal header field with incremental indexing and a new name is accepted.",
            "request with custom-key: custom-value incrementally indexed", _ => LiteralNewName(String("custom-key"), String("custom-value"), Literal.Incremental)),
        Accepts("6.2.1", 4, "h2spec generic/5/5", "A literal header field with incremental indexing and a new, Huffman-coded name is accepted.",
            "request with Huffman custom-key: custom-value incrementally indexed", _ => LiteralNewName(Huffman(Examples.CustomKey), Huffman(Examples.CustomValue), Literal.Incremental)),
        Accepts("6.2.2", 1, "h2spec generic/5/6", "A literal header field without indexing and an indexed name is accepted.",
            "request with cache-control (name index 24) without indexing", _ => LiteralIndexedName(24, String("no-cache"), Literal.WithoutIndexing)),
        Accepts("6.2.2", 2, "h2spec generic/5/7", "A literal header field without indexing, an indexed name and a Huffman-coded value is accepted.",
            "request with cache-control (name index 24), Huffman value, without indexing", _ => LiteralIndexedName(24, Huffman(Examples.NoCache), Literal.WithoutIndexing)),
        Accepts("6.2.2", 3, "h2spec generic/5/8", "A literal header field without indexing and a new name is accepted.",
            "request with custom-key: custom-value without indexing", _ => LiteralNewName(String("custom-key"), String("custom-value"), Literal.WithoutIndexing)),
        Accepts("6.2.2", 4, "h2spec generic/5/9", "A literal header field without indexing and a new, Huffman-coded name is accepted.",
            "request with Huffman custom-key: custom-value without indexing", _ => LiteralNewName(Huffman(Examples.CustomKey), Huffman(Examples.CustomValue), Literal.WithoutIndexing)),
        Accepts("6.2.3", 1, "h2spec generic/5/10", "A literal header field never indexed with an indexed name is accepted.",
            "request with cache-control (name index 24) never indexed", _ => LiteralIndexedName(24, String("no-cache"), Literal.NeverIndexed)),
        Accepts("6.2.3", 2, "h2spec generic/5/11", "A literal header field never indexed with an indexed name and a Huffman-coded value is accepted.",
            "request with cache-control (name index 24), Huffman value, never indexed", _ => LiteralIndexedName(24, Huffman(Examples.NoCache), Literal.NeverIndexed)),
        Accepts("6.2.3", 3, "h2spec generic/5/12", "A literal header field never indexed with a new name is accepted.",
            "request with custom-key: custom-value never indexed", _ => LiteralNewName(String("custom-key"), String("custom-value"), Literal.NeverIndexed)),
        Accepts("6.2.3", 4, "h2spec generic/5/13", "A literal header field never indexed with a new, Huffman-coded name is accepted.",
            "request with Huffman custom-key: custom-value never indexed", _ => LiteralNewName(Huffman(Examples.CustomKey), Huffman(Examples.CustomValue), Literal.NeverIndexed)),
        Hpack("6.3", 1, "h2spec generic/5/14",
            "A dynamic table size update at the beginning of a header block, within the limit, is accepted.",
            Handshake(), Headers(1, "GET request starting with a size update to 2048", s => [.. SizeUpdate(Math.Min(2048, HeaderTableSize(s))), .. Block(Pseudo(s))]), Response(1)),
        Hpack("6.3", 2, "h2spec generic/5/15",
            "Several dynamic table size updates at the beginning of a header block (the smallest, then the final size) are accepted.",
            Handshake(), Headers(1, "GET request starting with size updates to 0 and 4096", s => [.. SizeUpdate(0), .. SizeUpdate(HeaderTableSize(s)), .. Block(Pseudo(s))]), Response(1)),
        Rejects("6.3", 3, "h2spec hpack/4.2/1",
            "A dynamic table size update MUST occur at the beginning of a header block (here: at its end).",
            "request ending with a size update", s => [.. Block(Pseudo(s)), .. SizeUpdate(0)]),
        Rejects("6.3", 4, "extra",
            "A dynamic table size update MUST occur at the beginning of a header block (here: between two fields).",
            "request with a size update after :method", s => [.. Block(Pseudo(s).Take(1)), .. SizeUpdate(0), .. Block(Pseudo(s).Skip(1))]));
}
