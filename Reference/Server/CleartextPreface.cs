using System.Text;

namespace Reference.Server;

/// <summary>What the first octets of a cleartext connection say it is.</summary>
internal enum Opening
{
    /// <summary>Too few octets to tell yet (a prefix of the preface, or a short token).</summary>
    NeedMore,
    /// <summary>The complete HTTP/2 client connection preface (RFC 9113 §3.4).</summary>
    Http2,
    /// <summary>An HTTP/1.x request line (including an <c>Upgrade: h2c</c> request).</summary>
    Http1,
    /// <summary>Neither.</summary>
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

    /// <summary>Classifies the first octets received on a cleartext connection.</summary>
    public static Opening Classify(ReadOnlySpan<byte> first)
    {
        var n = Math.Min(first.Length, Preface.Length);
        if (first[..n].SequenceEqual(Preface[..n]))
            return n == Preface.Length ? Opening.Http2 : Opening.NeedMore;
        // An HTTP/1.x request line: a method token, a space, ... (RFC 9112 §3).
        var space = first.IndexOf((byte)' ');
        if (space < 0)
            return first.Length < 16 && IsToken(first) ? Opening.NeedMore : Opening.Other;
        return space > 0 && IsToken(first[..space]) ? Opening.Http1 : Opening.Other;
    }

    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
            if (!(b is >= (byte)'A' and <= (byte)'Z' || b is >= (byte)'a' and <= (byte)'z' || b == (byte)'-' || b == (byte)'_'))
                return false;
        return true;
    }

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
