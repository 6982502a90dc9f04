namespace Http2.Reference.Hpack;

/// <summary>The seed's constants (nghttp2's Python bindings), with their RFC sources.</summary>
public static class HpackConstants
{
    /// <summary>The initial SETTINGS_HEADER_TABLE_SIZE and dynamic table size (RFC 9113 §6.5.2).</summary>
    public const int DefaultHeaderTableSize = 4096;

    /// <summary>The default cap of a <see cref="Deflater"/>: the largest table it uses whatever the peer allows.</summary>
    public const int DeflateMaxHeaderTableSize = 4096;

    /// <summary>The per-entry overhead of RFC 7541 §4.1.</summary>
    public const int HeaderEntryOverhead = HeaderField.EntryOverhead;
}
