using System.Diagnostics;
using Http2.Reference;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>
/// The octets a story (UTF-8 JSON) cannot hold — 0xc0, 0xc1, 0xf5-0xff — and
/// every other octet, Huffman-coded (RFC 7541 Appendix B) by our encoder and
/// decoded by ours and by python-hpack, an independent implementation.
/// </summary>
public class HuffmanEveryOctetTests
{
    private static readonly byte[] EveryOctet = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    private static byte[] Encode()
    {
        var field = new HeaderField(Bytes.FromUtf8("every-octet"), EveryOctet);
        var (_, block) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.AlwaysHuffman), [field]);
        return block;
    }

    [Fact(DisplayName = "RFC 7541 Appendix B: a value of every octet 0x00-0xff, Huffman-coded, decodes back")]
    public void RoundTrip()
    {
        var block = Encode();
        Assert.Equal(0x40, block[0] & 0xc0);            // literal with incremental indexing, new name
        var decoded = HpackDecoder.Decode(DecoderState.Initial(), block, DecoderLimits.Default)
            .Match(Right: d => d.Fields, Left: e => throw new Xunit.Sdk.XunitException(e.ToString()));
        Assert.Equal(EveryOctet, Assert.Single(decoded).Value.ToArray());
    }

    [Fact(DisplayName = "RFC 7541 Appendix B: python-hpack decodes our Huffman coding of every octet to the same octets")]
    public void PythonHpackAgrees()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Skip("/usr/bin/python3 not installed");
        var hex = Convert.ToHexStringLower(Encode());
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c",
            "import hpack,sys; h=hpack.Decoder().decode(bytes.fromhex(sys.argv[1]), raw=True); print(bytes(h[0][1]).hex())", hex])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(30_000), "python-hpack did not finish");
        if (python.ExitCode != 0 && error.Contains("No module named 'hpack'") && Environment.GetEnvironmentVariable("CI") is null)
            Assert.Skip("python3-hpack not installed");
        Assert.True(python.ExitCode == 0, error);
        Assert.Equal(Convert.ToHexStringLower(EveryOctet), output.Trim());
    }
}
