using LanguageExt;
using Http2.Reference;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>Small helpers shared by the HPACK tests.</summary>
internal static class HpackTestKit
{
    public static HeaderField F(string name, string value, bool sensitive = false) => HeaderField.Of(name, value, sensitive);

    public static byte[] Hex(string hex) => Bytes.FromHex(hex).ToArray();

    public static string ToHex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static DecodedBlock DecodeOk(DecoderState state, byte[] block, DecoderLimits? limits = null) =>
        HpackDecoder.Decode(state, block, limits ?? DecoderLimits.Unlimited).Match(
            Right: d => d,
            Left: e => throw new Xunit.Sdk.XunitException($"unexpected decoding error: {e}"));

    public static HpackError DecodeError(DecoderState state, byte[] block) =>
        HpackDecoder.Decode(state, block, DecoderLimits.Default).Match(
            Right: d => throw new Xunit.Sdk.XunitException($"expected an error, decoded {string.Join(", ", d.Fields)}"),
            Left: e => e);

    /// <summary>The table as the seed's printer shows it.</summary>
    public static string Print(DynamicTable table)
    {
        var w = new StringWriter { NewLine = "\n" };
        HeaderTablePrinter.Print(table.Select(f => new HeaderTableEntry(f.Name, f.Value, f.Size)), w);
        return w.ToString();
    }

    public static void FieldsEqual(IReadOnlyList<HeaderField> expected, IReadOnlyList<HeaderField> actual) =>
        Assert.Equal(expected.Select(f => f.ToString()), actual.Select(f => f.ToString()));
}
