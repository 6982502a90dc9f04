using System.Net;
using LanguageExt;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2.Reference.Server;

/// <summary>
/// How the server speaks TLS: a certificate (the usual case), or complete
/// <see cref="SslServerAuthenticationOptions"/> for full control. Either way
/// ALPN offers only "h2" (RFC 9113 §3.2): a client that does not select it is
/// closed, since this server has no HTTP/1.1 to fall back to.
/// </summary>
public sealed class TlsOptions
{
    private readonly SslServerAuthenticationOptions options;

    /// <summary>TLS with <paramref name="certificate"/> (which must hold its private key), TLS 1.2 or 1.3.</summary>
    public TlsOptions(X509Certificate2 certificate) : this(certificate, null) { }

    /// <summary>
    /// TLS with <paramref name="certificate"/> (which must hold its private key) and the
    /// intermediate certificates of <paramref name="chain"/>, sent after it in every
    /// handshake so clients that trust only the root can verify it; TLS 1.2 or 1.3.
    /// </summary>
    public TlsOptions(X509Certificate2 certificate, X509Certificate2Collection? chain)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
            throw new ArgumentException("the server certificate needs its private key", nameof(certificate));
        Certificate = certificate;
        options = new SslServerAuthenticationOptions
        {
            // Built once: a context made per handshake would build the chain each time.
            // The chain is built from the given certificates only (offline: nothing is
            // downloaded); a root among them is left out, as clients must have it already.
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, // RFC 9113 §9.2: TLS 1.2 or higher
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>
    /// TLS with caller-made options. The ALPN list is replaced by "h2" alone,
    /// and the §9.2 checks still run after the handshake.
    /// </summary>
    public TlsOptions(SslServerAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Certificate = options.ServerCertificate as X509Certificate2 ?? options.ServerCertificateContext?.TargetCertificate;
        if (options.ServerCertificate is X509Certificate2 { HasPrivateKey: true } cert && options.ServerCertificateContext is null
            && options.ServerCertificateSelectionCallback is null)
        {
            // Same as above: one certificate context for every handshake.
            options.ServerCertificateContext = SslStreamCertificateContext.Create(cert, null, offline: true);
            options.ServerCertificate = null;
        }
        this.options = options;
    }

    /// <summary>The server certificate, when known.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Options for one handshake (a fresh copy: SslStream keeps a reference to them).</summary>
    internal SslServerAuthenticationOptions ForHandshake() => new()
    {
        ServerCertificate = options.ServerCertificate,
        ServerCertificateContext = options.ServerCertificateContext,
        ServerCertificateSelectionCallback = options.ServerCertificateSelectionCallback,
        EnabledSslProtocols = options.EnabledSslProtocols,
        ClientCertificateRequired = options.ClientCertificateRequired,
        RemoteCertificateValidationCallback = options.RemoteCertificateValidationCallback,
        CertificateRevocationCheckMode = options.CertificateRevocationCheckMode,
        EncryptionPolicy = options.EncryptionPolicy,
        CipherSuitesPolicy = options.CipherSuitesPolicy,
        AllowRenegotiation = false, // RFC 9113 §9.2.1: "MUST disable renegotiation"
        ApplicationProtocols = [SslApplicationProtocol.Http2],
    };

    /// <summary>
    /// TLS from certificate files, the ways Kestrel accepts them: a PEM file with the
    /// certificate first and its intermediates after it (a <c>fullchain.pem</c>, sent whole
    /// in the handshake), with its key in the same file or in <paramref name="keyPath"/>
    /// (PKCS#8, PKCS#1, SEC1, or encrypted PKCS#8 with <paramref name="password"/>); or a
    /// PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) with <paramref name="password"/> and no key path.
    /// </summary>
    /// <returns>The options, or why the files cannot be used, in one line: a file missing or
    /// unreadable, no certificate or key in it, a missing or wrong password, a key that is
    /// not the certificate's.</returns>
    public static Either<string, TlsOptions> Load(string certificatePath, string? keyPath = null, string? password = null)
    {
        try { return CertificateFiles.Load(certificatePath, keyPath, password); }
        catch (Exception e) when (e is CertificateFileException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// TLS with a new self-signed certificate (ECDSA P-256, valid for a week)
    /// for <paramref name="hostNames"/> plus localhost, 127.0.0.1 and ::1:
    /// what <c>h2ref serve --tls</c> uses when no certificate is given.
    /// Clients must be told not to verify it (curl -k, nghttp's default).
    /// </summary>
    public static TlsOptions SelfSigned(params string[] hostNames) => new(CreateSelfSignedCertificate(hostNames));

    /// <summary>Makes the self-signed certificate of <see cref="SelfSigned"/>.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate(params string[] hostNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=h2ref self-signed", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in hostNames.Where(n => !string.IsNullOrEmpty(n) && n != "localhost"))
        {
            if (IPAddress.TryParse(name, out var ip)) { if (!IPAddress.IsLoopback(ip)) san.AddIpAddress(ip); }
            else san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
