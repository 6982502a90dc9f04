namespace Http2.Reference.Hpack;

/// <summary>
/// Limits the decoder enforces while it decodes a block, not after. Going over
/// one does not break the connection: the decoder finishes the block so that
/// its dynamic table stays in step with the peer's encoder (HPACK state is
/// connection-wide; Kestrel's rule), stops collecting fields and reports
/// <see cref="DecodedBlock.ListSizeExceeded"/>; the HTTP/2 layer then answers
/// 431 or RST_STREAM for that one stream (RFC 9113 §10.5.1).
/// </summary>
/// <param name="MaxHeaderListSize">
/// Largest decoded header list, in RFC 9113 §6.5.2 terms (each field costs
/// name + value + 32). Counted as each field is decoded, so that a block of
/// one-octet indexed representations pointing at a large table entry (the
/// "HPACK bomb", CVE-2016-6581) is stopped after a few fields instead of
/// expanding to gigabytes.
/// </param>
/// <param name="MaxFieldCount">Most fields in one list (bounds per-field overhead when every field is tiny).</param>
/// <param name="MaxStringLength">
/// Longest name or value after Huffman decoding. Checked before anything is
/// allocated for the string; the octets themselves must already be in the
/// block (a length field alone never causes an allocation).
/// </param>
public sealed record DecoderLimits(int MaxHeaderListSize = 32 * 1024, int MaxFieldCount = 100, int MaxStringLength = 64 * 1024)
{
    /// <summary>32 KiB of list, 100 fields, 64 KiB strings.</summary>
    public static readonly DecoderLimits Default = new();

    /// <summary>No limits beyond the block itself (tools and tests that must see every field).</summary>
    public static readonly DecoderLimits Unlimited = new(int.MaxValue, int.MaxValue, int.MaxValue);
}
