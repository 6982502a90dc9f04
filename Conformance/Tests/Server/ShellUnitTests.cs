using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The shell's pure helpers: opening classification, TLS policy, access log format.</summary>
public sealed class ShellUnitTests
{
    [Theory(DisplayName = "RFC 9113 §3.4/§3.3: the opening octets of a cleartext connection are classified")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Opening.Http2)]
    [InlineData("PRI * HTTP/2.0\r\n", Opening.NeedMore)]
    [InlineData("P", Opening.NeedMore)]
    [InlineData("", Opening.NeedMore)]
    [InlineData("GET / HTTP/1.1\r\n", Opening.Http1)]
    [InlineData("POST /echo HTTP/1.1\r\n", Opening.Http1)]
    [InlineData("PUT /x HTTP/1.0\r\n", Opening.Http1)]
    [InlineData("PRI * HTTP/1.1\r\n\r\n", Opening.Http1)]
    [InlineData("GE", Opening.NeedMore)]
    [InlineData("GET / HTTP/1.1", Opening.NeedMore)]
    [InlineData("GET /a?b=c HTTP/1.", Opening.NeedMore)]
    [InlineData("M-SEARCH * HTTP/1.1\r\n", Opening.Http1)]
    [InlineData("\u0016\u0003\u0001 hello", Opening.Other)]
    [InlineData("INVALID CONNECTION PREFACE\r\n\r\n", Opening.Other)]
    [InlineData("GET / HTTP/2.0\r\n", Opening.Other)]
    [InlineData("GET  / HTTP/1.1\r\n", Opening.Other)]
    [InlineData("GET / HTTP/1.1\n", Opening.Other)]
    public void Classify(string opening, object expected) => // object: Opening is internal to the server
        Assert.Equal((Opening)expected, CleartextPreface.Classify(Encoding.Latin1.GetBytes(opening)));

    [Fact(DisplayName = "The HTTP/1.1 refusal is a well-formed 505 whose Content-Length matches its text")]
    public void Refusal()
    {
        var text = Encoding.UTF8.GetString(CleartextPreface.Refusal);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(text[(split + 4)..]);
        Assert.StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n", text);
        Assert.Contains($"Content-Length: {body.Length}\r\n", text);
    }

    [Fact(DisplayName = "RFC 9113 Appendix A: the prohibited list is exactly the RFC's (read from the RFC text)")]
    public void ProhibitedListMatchesRfc()
    {
        var rfc = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/rfc/rfc9113-http2.txt");
        if (!File.Exists(rfc)) rfc = "/work/shared/rfc/rfc9113-http2.txt";
        if (!File.Exists(rfc)) Assert.Skip("RFC 9113 text not found beside the repository");
        var text = File.ReadAllText(rfc);
        var from = text.LastIndexOf("Appendix A.  Prohibited TLS 1.2 Cipher Suites", StringComparison.Ordinal);
        var to = text.LastIndexOf("Appendix B.  Changes from RFC 7540", StringComparison.Ordinal);
        var appendix = text[from..to];
        var listed = Regex.Matches(appendix, @"\*  (TLS_\w+)").Select(m => m.Groups[1].Value).Where(n => !n.EndsWith("_SCSV", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(275, listed.Count);
        Assert.True(listed.SetEquals(TlsPolicy.ProhibitedCipherSuites));
    }

    [Fact(DisplayName = "RFC 9113 §9.2: TLS 1.3 is adequate; TLS 1.2 only without Appendix A suites; older TLS never")]
    public void Inadequacy()
    {
        Assert.Null(TlsPolicy.Inadequacy(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_128_GCM_SHA256));
        Assert.Null(TlsPolicy.Inadequacy(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)); // §9.2.2 MUST support
        Assert.Null(TlsPolicy.Inadequacy(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256));
        Assert.NotNull(TlsPolicy.Inadequacy(SslProtocols.Tls12, TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256)); // no ephemeral key exchange
        Assert.NotNull(TlsPolicy.Inadequacy(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
#pragma warning disable SYSLIB0039
        Assert.NotNull(TlsPolicy.Inadequacy(SslProtocols.Tls11, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
#pragma warning restore SYSLIB0039
    }

    [Fact(DisplayName = "Access log: the original's line format, with octets sent, the push mark and how the stream ended (RFC 9113 §6.4 codes by name)")]
    public void AccessLine()
    {
        var client = new IPEndPoint(IPAddress.Loopback, 51234);
        var time = new DateTimeOffset(2026, 11, 25, 21, 52, 48, TimeSpan.Zero);
        Assert.Equal("127.0.0.1 - - [Wed, 25 Nov 2026 21:52:48 GMT] \"GET /hello HTTP/2\" 200 1234 - done",
            AccessLog.Format(client, time, "GET", "/hello", 200, 1234, false, AccessLog.Outcome(Http2.Reference.ErrorCode.NoError)));
        Assert.Equal("127.0.0.1 - - [Wed, 25 Nov 2026 21:52:48 GMT] \"GET /css/style.css HTTP/2\" 200 15 P done",
            AccessLog.Format(client, time, "GET", "/css/style.css", 200, 15, true, AccessLog.Outcome(Http2.Reference.ErrorCode.NoError)));
        Assert.Equal("127.0.0.1 - - [Wed, 25 Nov 2026 21:52:48 GMT] \"GET /delay/5 HTTP/2\" - 0 - reset CANCEL",
            AccessLog.Format(client, time, "GET", "/delay/5", 0, 0, false, AccessLog.Outcome(Http2.Reference.ErrorCode.Cancel)));
        Assert.Equal("lost", AccessLog.Outcome(null));
    }

    [Fact(DisplayName = "TLS: the generated self-signed certificate has its key and names localhost and 127.0.0.1")]
    public void SelfSigned()
    {
        using var cert = TlsOptions.CreateSelfSignedCertificate("example.test");
        Assert.True(cert.HasPrivateKey);
        Assert.True(cert.MatchesHostname("localhost"));
        Assert.True(cert.MatchesHostname("127.0.0.1"));
        Assert.True(cert.MatchesHostname("example.test"));
    }
}
