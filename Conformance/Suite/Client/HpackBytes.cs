using System.Text;

namespace Conformance.Suite.Client;

/// <summary>
/// Hand-made HPACK representations (RFC 7541 §5, §6), so cases can send both
/// well-formed blocks (no dynamic-table state needed: literals without
/// indexing) and broken ones no encoder would produce (index 0, an index past
/// the tables, a size update after a field, Huffman strings with EOS or bad
/// padding).
/// </summary>
public static class HpackBytes
{
    /// <summary>RFC 7541 §5.1: an integer with an N-bit prefix; <paramref name="first"/> holds the bits above the prefix.</summary>
    public static byte[] Integer(long value, int prefixBits, byte first = 0)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max) return [(byte)(first | value)];
        var bytes = new List<byte> { (byte)(first | max) };
        value -= max;
        while (value >= 128) { bytes.Add((byte)(value % 128 + 128)); value /= 128; }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>RFC 7541 §5.2: a string literal, raw octets (H = 0).</summary>
    public static byte[] String(byte[] octets) => [.. Integer(octets.Length, 7), .. octets];

    public static byte[] String(string text) => String(Encoding.UTF8.GetBytes(text));

    /// <summary>RFC 7541 §5.2: a string literal whose octets are already Huffman-coded (H = 1).</summary>
    public static byte[] Huffman(byte[] coded) => [.. Integer(coded.Length, 7, 0x80), .. coded];

    /// <summary>RFC 7541 §6.1: indexed field.</summary>
    public static byte[] Indexed(int index) => Integer(index, 7, 0x80);

    /// <summary>The three literal kinds of RFC 7541 §6.2.</summary>
    public enum Literal { Incremental, WithoutIndexing, NeverIndexed }

    static (int Bits, byte First) Prefix(Literal kind) => kind switch
    {
        Literal.Incremental => (6, 0x40),
        Literal.WithoutIndexing => (4, 0x00),
        _ => (4, 0x10),
    };

    /// <summary>A literal with an indexed name (name index &gt; 0).</summary>
    public static byte[] LiteralIndexedName(int nameIndex, byte[] valueString, Literal kind = Literal.WithoutIndexing)
    {
        var (bits, first) = Prefix(kind);
        return [.. Integer(nameIndex, bits, first), .. valueString];
    }

    /// <summary>A literal with a new name (name index 0).</summary>
    public static byte[] LiteralNewName(byte[] nameString, byte[] valueString, Literal kind = Literal.WithoutIndexing)
    {
        var (bits, first) = Prefix(kind);
        return [.. Integer(0, bits, first), .. nameString, .. valueString];
    }

    /// <summary>RFC 7541 §6.3: dynamic table size update.</summary>
    public static byte[] SizeUpdate(long size) => Integer(size, 5, 0x20);

    /// <summary>Any field as a literal without indexing with a new name: valid whatever the table holds.</summary>
    public static byte[] Field(string name, string value) => Field(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value));

    public static byte[] Field(byte[] name, byte[] value) => LiteralNewName(String(name), String(value));

    /// <summary>A block of literal fields.</summary>
    public static byte[] Block(IEnumerable<(string Name, string Value)> fields) =>
        fields.SelectMany(f => Field(f.Name, f.Value)).ToArray();

    /// <summary>Huffman codes taken from RFC 7541 Appendix C.4 (coded octets of well-known strings).</summary>
    public static class Examples
    {
        /// <summary>"www.example.com" (C.4.1).</summary>
        public static readonly byte[] WwwExampleCom = Convert.FromHexString("f1e3c2e5f23a6ba0ab90f4ff");
        /// <summary>"no-cache" (C.4.2).</summary>
        public static readonly byte[] NoCache = Convert.FromHexString("a8eb10649cbf");
        /// <summary>"custom-key" (C.4.3).</summary>
        public static readonly byte[] CustomKey = Convert.FromHexString("25a849e95ba97d7f");
        /// <summary>"custom-value" (C.4.3).</summary>
        public static readonly byte[] CustomValue = Convert.FromHexString("25a849e95bb8e8b4bf");
    }
}
