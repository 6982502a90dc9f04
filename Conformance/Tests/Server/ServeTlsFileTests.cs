using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary><c>h2ref serve --tls --cert FILE --key FILE</c>: the given PEM pair is what the server presents, ALPN selects h2.</summary>
public sealed class ServeTlsFileTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly string dir = Directory.CreateTempSubdirectory("h2ref-serve-tls-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, written as PEM: the certificate, and its key in <paramref name="keyFormat"/>.</summary>
    private (string Cert, string Key, X509Certificate2 Certificate) WritePair(string algorithm, string keyFormat, string name = "pair")
    {
        using AsymmetricAlgorithm key = algorithm == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest("CN=h2ref test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=h2ref test", (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        var keyPem = (key, keyFormat) switch
        {
            (_, "pkcs8") => key.ExportPkcs8PrivateKeyPem(),
            (RSA r, "pkcs1") => r.ExportRSAPrivateKeyPem(),
            (ECDsa e, "sec1") => e.ExportECPrivateKeyPem(),
            _ => throw new ArgumentException(keyFormat),
        };
        var certPath = Path.Combine(dir, name + ".crt");
        var keyPath = Path.Combine(dir, name + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, keyPem);
        return (certPath, keyPath, certificate);
    }

    [Fact(DisplayName = "TlsOptions.Load: certificate files that cannot be used are a value saying why, never an exception; good files give the certificate with its key")]
    public void LoadReturnsWhyAsAValue()
    {
        var (cert, key, certificate) = WritePair("ecdsa", "pkcs8");
        var (_, otherKey, _) = WritePair("ecdsa", "pkcs8", "other");
        string Why(LanguageExt.Either<string, Http2.Reference.Server.TlsOptions> r) =>
            r.Match(Right: _ => "loaded", Left: why => why);

        var good = Http2.Reference.Server.TlsOptions.Load(cert, key);
        Assert.Equal(certificate.Thumbprint, good.Match(Right: o => o.Certificate!.Thumbprint, Left: why => why));
        Assert.True(good.Match(Right: o => o.Certificate!.HasPrivateKey, Left: _ => false));

        Assert.StartsWith("no certificate file ", Why(Http2.Reference.Server.TlsOptions.Load(Path.Combine(dir, "missing.crt"), key)));
        Assert.StartsWith("no key file ", Why(Http2.Reference.Server.TlsOptions.Load(cert, Path.Combine(dir, "missing.key"))));
        Assert.Contains("does not match the certificate", Why(Http2.Reference.Server.TlsOptions.Load(cert, otherKey)));
        Assert.Contains("holds no PEM private key", Why(Http2.Reference.Server.TlsOptions.Load(cert, cert)));
        var notPfx = Path.Combine(dir, "garbage.pfx");
        File.WriteAllText(notPfx, "not a certificate");
        Assert.Contains("PKCS#12", Why(Http2.Reference.Server.TlsOptions.Load(notPfx)));
    }

    [Theory(DisplayName = "RFC 9113 §3.2: serve --tls --cert --key presents that certificate; curl --http2 verifying it (--cacert) gets h2 and the answer")]
    [InlineData("ecdsa", "pkcs8")]
    [InlineData("ecdsa", "sec1")]
    [InlineData("rsa", "pkcs1")]
    [InlineData("rsa", "pkcs8")]
    public async Task CurlVerifiesGivenCertificate(string algorithm, string keyFormat)
    {
        var (cert, key, _) = WritePair(algorithm, keyFormat);
        await using var server = await ServeProcess.StartAsync("--tls", "--cert", cert, "--key", key);
        Assert.StartsWith("https://127.0.0.1:", server.Base);
        // No -k: curl checks the chain against our certificate and the name 127.0.0.1, so the
        // answer proves the server used the given pair (a generated one would fail verification).
        var r = await ExternalTool.RunAsync("curl",
            ["--http2", "--cacert", cert, "-sS", "--max-time", "15", "-w", "\n%{http_version} %{response_code}", server.Base + "/"], Bound);
        Assert.True(r.ExitCode == 0, r + "\n--- server ---\n" + server.Stderr);
        Assert.Equal($"{Http2.Reference.Server.DemoHandler.RootText}\n2 200", r.Output);
    }

    [Fact(DisplayName = "RFC 9113 §3.2: HttpClient over TLS to serve --cert/--key: ALPN h2, HTTP/2, and the presented certificate is the file's")]
    public async Task HttpClientSeesGivenCertificate()
    {
        var (cert, key, certificate) = WritePair("ecdsa", "pkcs8");
        await using var server = await ServeProcess.StartAsync("--tls", "--cert", cert, "--key", key);
        X509Certificate2? presented = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, c, _, _) =>
                {
                    presented = c is null ? null : new X509Certificate2(c);
                    return true;
                },
            },
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Bound,
        };
        using var response = await client.GetAsync(server.Base + "/bytes/100000", Ct);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100_000, (await response.Content.ReadAsByteArrayAsync(Ct)).Length);
        Assert.NotNull(presented);
        Assert.Equal(certificate.Thumbprint, presented.Thumbprint);
    }

    [Fact(DisplayName = "serve --tls without --cert: a self-signed certificate is generated; curl -k gets h2")]
    public async Task SelfSignedAtStart()
    {
        await using var server = await ServeProcess.StartAsync("--tls");
        Assert.Contains("self-signed", server.Stderr);
        var r = await ExternalTool.RunAsync("curl",
            ["--http2", "-k", "-sS", "--max-time", "15", "-w", "\n%{http_version} %{response_code}", server.Base + "/"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.EndsWith("\n2 200", r.Output);
    }

    public static TheoryData<string> BadPairs => ["missing key", "missing certificate", "key of another pair", "not PEM", "key as certificate"];

    [Theory(DisplayName = "serve --cert/--key that cannot be used: a one-line error naming the files and exit 1, never a stack trace")]
    [MemberData(nameof(BadPairs))]
    public async Task BadPairIsClearError(string kind)
    {
        var (cert, key, _) = WritePair("ecdsa", "pkcs8");
        var (_, otherKey, _) = WritePair("ecdsa", "pkcs8", "other");
        var garbage = Path.Combine(dir, "garbage.pem");
        File.WriteAllText(garbage, "this is not PEM\n");
        var (c, k) = kind switch
        {
            "missing key" => (cert, Path.Combine(dir, "nope.key")),
            "missing certificate" => (Path.Combine(dir, "nope.crt"), key),
            "key of another pair" => (cert, otherKey),
            "not PEM" => (garbage, garbage),
            "key as certificate" => (key, key),
            _ => throw new ArgumentException(kind),
        };
        var r = await ServeProcess.RunToExitAsync("--tls", "--cert", c, "--key", k);
        Assert.False(r.TimedOut, "h2ref serve started instead of failing");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("h2ref serve: cannot use certificate ", r.Stderr);
        Assert.DoesNotContain("Unhandled exception", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact(DisplayName = "serve --cert of a PEM file without a key and without --key: one line saying the key is missing, exit 1")]
    public async Task CertWithoutKey()
    {
        var (cert, _, _) = WritePair("ecdsa", "pkcs8");
        var r = await ServeProcess.RunToExitAsync("--tls", "--cert", cert);
        Assert.False(r.TimedOut);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("holds no PEM private key", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact(DisplayName = "serve --key without --cert is a usage error naming the option (exit 2)")]
    public async Task KeyWithoutCert()
    {
        var (_, key, _) = WritePair("ecdsa", "pkcs8");
        var r = await ServeProcess.RunToExitAsync("--key", key);
        Assert.False(r.TimedOut);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--key needs --cert", r.Stderr);
    }
}
