using System.Text;

namespace Http2.Reference.Server;

/// <summary>What the first octets of a cleartext connection say it is.</summary>
internal enum Opening
{
    /// <summary>Too few octets to tell yet (a prefix of the preface, or a short token).</summary>
    NeedMore,
    /// <summary>The complete HTTP/2 client connection preface (RFC 9113 §3.4).</summary>
    Http2,
    /// <summary>A complete HTTP/1.x request line (including an <c>Upgrade: h2c</c> request).</summary>
    Http1,
    /// <summary>Neither: an invalid preface (RFC 9113 §3.4).</summary>
    Other,
}

/// <summary>
/// Cleartext HTTP/2 here means prior knowledge only (RFC 9113 §3.3): the
/// client starts with the connection preface. The h2c Upgrade of RFC 7540
/// §3.2 is deprecated by RFC 9113 §3.1 and not offered; anything that looks
/// like HTTP/1.1 gets a short HTTP/1.1 error that says so, then the
/// connection is closed, so such a client never hangs.
/// </summary>
internal static class CleartextPreface
{
    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4).</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The longest HTTP/1.x request line waited for before the octets are judged not to be one.</summary>
    public const int MaxRequestLine = 8192;

    /// <summary>
    /// Classifies the first octets received on a cleartext connection. Only a
    /// complete HTTP/1.x request line (<c>method SP target SP HTTP/1.d CRLF</c>,
    /// RFC 9112 §3) is <see cref="Opening.Http1"/>; anything else that is not
    /// the preface is <see cref="Opening.Other"/>, an invalid preface that
    /// RFC 9113 §3.4 answers with a connection error PROTOCOL_ERROR.
    /// </summary>
    public static Opening Classify(ReadOnlySpan<byte> first)
    {
        var n = Math.Min(first.Length, Preface.Length);
        if (first[..n].SequenceEqual(Preface[..n]))
            return n == Preface.Length ? Opening.Http2 : Opening.NeedMore;
        return RequestLine(first);
    }

    /// <summary>Walks <c>token SP 1*(visible) SP "HTTP/1." DIGIT CRLF</c>, as far as the octets go.</summary>
    private static Opening RequestLine(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && IsTokenChar(s[i])) i++;
        if (i == s.Length) return More(s);
        if (i == 0 || s[i] != (byte)' ') return Opening.Other;
        var target = ++i;
        while (i < s.Length && s[i] is > 0x20 and < 0x7f) i++;
        if (i == s.Length) return More(s);
        if (i == target || s[i] != (byte)' ') return Opening.Other;
        var version = s[++i..];
        ReadOnlySpan<byte> http1 = "HTTP/1."u8;
        var m = Math.Min(version.Length, http1.Length);
        if (!version[..m].SequenceEqual(http1[..m])) return Opening.Other;
        if (version.Length <= http1.Length) return More(s);
        if (!char.IsAsciiDigit((char)version[http1.Length])) return Opening.Other;
        var end = version[(http1.Length + 1)..];
        if (end.IsEmpty || (end.Length == 1 && end[0] == (byte)'\r')) return More(s);
        return end[0] == (byte)'\r' && end[1] == (byte)'\n' ? Opening.Http1 : Opening.Other;
    }

    private static Opening More(ReadOnlySpan<byte> s) => s.Length < MaxRequestLine ? Opening.NeedMore : Opening.Other;

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
          or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
          or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    /// <summary>The text of the refusal sent to an HTTP/1.x request.</summary>
    public const string RefusalText =
        "This server speaks HTTP/2 only. In cleartext it needs prior knowledge (RFC 9113 §3.3):\n" +
        "start the connection with the HTTP/2 preface, e.g. curl --http2-prior-knowledge or nghttp.\n" +
        "HTTP/1.1 and the h2c Upgrade (deprecated by RFC 9113 §3.1) are not supported.\n";

    /// <summary>The complete HTTP/1.1 refusal: 505 HTTP Version Not Supported, Connection: close.</summary>
    public static byte[] Refusal { get; } = Encoding.UTF8.GetBytes(
        "HTTP/1.1 505 HTTP Version Not Supported\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        $"Content-Length: {Encoding.UTF8.GetByteCount(RefusalText)}\r\n" +
        "Connection: close\r\n\r\n" + RefusalText);
}
