using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// A server sends one set of field objects again and again (a file's 200): once a block has
/// left the dynamic table as it was, the encoder gives the same fields the same octets without
/// encoding them again. These cases pin what must still hold: the octets are those a fresh
/// encoding gives, and anything that changes them (another field, a changed list, a table that
/// changed, a size update to signal) is encoded anew.
/// </summary>
public class RepeatedBlockTests
{
    // A file's 200 as the static file server sends it: indexed, incremental and non-indexed literals.
    private static HeaderField[] FileResponse() =>
    [
        F(":status", "200"), F("content-type", "text/html"), F("content-length", "13"), F("accept-ranges", "bytes"),
        F("etag", "\"6b119eee-d\""), F("last-modified", "Thu, 03 Dec 2026 16:55:10 GMT"), F("date", "Thu, 03 Dec 2026 17:04:53 GMT"),
    ];

    /// <summary>The same fields as new objects: encoded the ordinary way, nothing remembered applies.</summary>
    private static HeaderField[] Copies(IEnumerable<HeaderField> fields) =>
        [.. fields.Select(f => new HeaderField(f.Name.ToArray(), f.Value.ToArray(), f.Sensitive))];

    private static (EncoderState State, byte[] Block) Encode(EncoderState state, IReadOnlyList<HeaderField> fields) => HpackEncoder.Encode(state, fields);

    [Fact(DisplayName = "RFC 7541 §6: the same field objects against an unchanged table give the octets a fresh encoding gives, block after block")]
    public void SameObjectsSameOctets()
    {
        var fields = FileResponse();
        var (s1, first) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, second) = Encode(s1, fields); // the table is as the first block left it: nothing more added
        var (s3, third) = Encode(s2, fields);
        var (s4, fourth) = Encode(s3, fields);
        var (_, fresh) = Encode(s1, Copies(fields));
        Assert.NotEqual(first, second); // the first block added entries; the second refers to them
        Assert.Equal(fresh, second);
        Assert.Equal(fresh, third);
        Assert.Equal(fresh, fourth);
        Assert.Same(s1.Table, s4.Table);
        // And a decoder reads them back as the fields sent.
        var decoder = DecodeOk(DecoderState.Initial(), first).State;
        foreach (var block in new[] { second, third, fourth })
        {
            var decoded = DecodeOk(decoder, block);
            FieldsEqual(fields, decoded.Fields);
            decoder = decoded.State;
        }
    }

    [Fact(DisplayName = "Encoder: each repeated block is the caller's own array: writing into one does not change the next")]
    public void RepeatedBlockIsACopy()
    {
        var fields = FileResponse();
        var (s1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, second) = Encode(s1, fields);
        var expected = second.ToArray();
        Array.Fill(second, (byte)0xff);
        var (s3, third) = Encode(s2, fields);
        Assert.Equal(expected, third);
        Array.Fill(third, (byte)0);
        Assert.Equal(expected, Encode(s3, fields).Block);
    }

    [Fact(DisplayName = "RFC 7541 §4.2, §6.3: after a table size change the same fields' block starts with the size update, and refers to the new table")]
    public void SizeUpdateStillSignalled()
    {
        var fields = FileResponse();
        var (s1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, _) = Encode(s1, fields);
        var (s3, repeated) = Encode(s2, fields);
        var shrunk = s3.WithTableSize(0);
        var (s4, afterUpdate) = Encode(shrunk, fields);
        Assert.Equal(0x20, afterUpdate[0]); // §6.3: size update to 0
        Assert.NotEqual(repeated, afterUpdate);
        Assert.Equal(Encode(s3.WithTableSize(0), Copies(fields)).Block, afterUpdate);
        // The block after the update has no size update, and (table size 0) repeats as literals.
        var (_, next) = Encode(s4, fields);
        Assert.NotEqual(0x20, next[0] & 0xe0);
        var decoder = DecodeOk(DecoderState.Initial(), Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields).Block).State;
        decoder = DecodeOk(decoder, repeated).State;
        var decoded = DecodeOk(decoder, afterUpdate);
        FieldsEqual(fields, decoded.Fields);
        FieldsEqual(fields, DecodeOk(decoded.State, next).Fields);
    }

    [Fact(DisplayName = "Encoder: a list changed in place after a block (one element replaced) is encoded as it is now")]
    public void ChangedListEncodedAnew()
    {
        var list = new List<HeaderField>(FileResponse());
        var (s1, first) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), list);
        var (s2, second) = Encode(s1, list);
        list[2] = F("content-length", "14");
        var (s3, third) = Encode(s2, list);
        Assert.NotEqual(second, third);
        Assert.Equal(Encode(s2, Copies(list)).Block, third);
        var decoder = DecodeOk(DecoderState.Initial(), first).State;
        decoder = DecodeOk(decoder, second).State;
        var decoded = DecodeOk(decoder, third);
        Assert.Equal("content-length: 14", decoded.Fields[2].ToString());
        // A shorter list, then the same objects again: each as it is.
        list.RemoveAt(6);
        var (s4, fourth) = Encode(s3, list);
        FieldsEqual(list, DecodeOk(decoded.State, fourth).Fields);
        Assert.Equal(Encode(s3, Copies(list)).Block, fourth);
        Assert.Same(s3.Table, s4.Table);
    }

    [Fact(DisplayName = "RFC 7541 §2.3.2: a block that changed the table in between is encoded against the new table, not as before")]
    public void TableChangedInBetween()
    {
        var fields = FileResponse();
        var (s1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, second) = Encode(s1, fields);
        var (s3, _) = Encode(s2, [F("x-new", "1")]); // adds an entry: every dynamic index moves by one
        var (_, after) = Encode(s3, fields);
        Assert.NotEqual(second, after);
        Assert.Equal(Encode(s3, Copies(fields)).Block, after);
    }

    [Fact(DisplayName = "Encoder: the IBufferWriter overload repeats a block with the same octets as the array overload")]
    public void BufferWriterRepeats()
    {
        var fields = FileResponse();
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var s = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields, writer);
        var (a1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (_, expected) = Encode(a1, Copies(fields));
        for (var i = 0; i < 3; i++)
        {
            writer.Clear();
            s = HpackEncoder.Encode(s, fields, writer);
            Assert.Equal(expected, writer.WrittenSpan.ToArray());
        }
    }

    [Fact(DisplayName = "Encoder: what a state remembers of its last block is not part of its value (equal states, equal hashes)")]
    public void RememberedBlockNotCompared()
    {
        var fields = FileResponse();
        var (s1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, _) = Encode(s1, fields);
        Assert.Equal(s1, s2);
        Assert.Equal(s1.GetHashCode(), s2.GetHashCode());
        Assert.NotEqual(s1, s1.WithTableSize(100));
    }

    [Fact(DisplayName = "RFC 7541 §7.1.3: a sensitive field repeated as the same object stays a never-indexed literal")]
    public void SensitiveRepeated()
    {
        HeaderField[] fields = [F(":status", "200"), F("set-cookie", "id=1", sensitive: true)];
        var (s1, _) = Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        var (s2, second) = Encode(s1, fields);
        var (_, third) = Encode(s2, fields);
        Assert.Equal(second, third);
        var x = HpackDecoder.Explain(DecoderState.Initial(), third);
        Assert.Equal(RepresentationKind.LiteralNeverIndexed, x.Representations[1].Kind);
    }
}
