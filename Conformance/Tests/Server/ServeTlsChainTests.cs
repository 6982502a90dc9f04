using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// A small PKI made by openssl, as an operator's would be: a root CA, an intermediate CA,
/// and a leaf for 127.0.0.1 and localhost signed by the intermediate; the leaf's key in
/// plain and encrypted PKCS#8; fullchain.pem (leaf then intermediate); a PKCS#12 file with
/// a password holding the key, the leaf and the intermediate.
/// </summary>
public sealed class OpensslPki : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("h2ref-pki-").FullName;
    public const string Password = "correct horse";
    public string Path(string name) => System.IO.Path.Combine(Dir, name);
    public string? Missing { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (ExternalTool.Find("openssl") is null) { Missing = "openssl"; return; }
        File.WriteAllText(Path("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
        File.WriteAllText(Path("leaf.ext"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
        string[][] steps =
        [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path("ca.key"), "-out", Path("ca.pem"),
             "-days", "2", "-subj", "/CN=h2ref test root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path("int.key"), "-out", Path("int.csr"), "-subj", "/CN=h2ref test intermediate"],
            ["x509", "-req", "-in", Path("int.csr"), "-CA", Path("ca.pem"), "-CAkey", Path("ca.key"), "-CAcreateserial", "-out", Path("int.pem"), "-days", "2", "-extfile", Path("ca.ext")],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", Path("leaf.key"), "-out", Path("leaf.csr"), "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", Path("leaf.csr"), "-CA", Path("int.pem"), "-CAkey", Path("int.key"), "-CAcreateserial", "-out", Path("leaf.pem"), "-days", "2", "-extfile", Path("leaf.ext")],
            ["pkey", "-in", Path("leaf.key"), "-aes256", "-passout", "pass:" + Password, "-out", Path("leaf.enc.key")],
            ["pkey", "-in", Path("leaf.key"), "-traditional", "-aes256", "-passout", "pass:" + Password, "-out", Path("leaf.legacy.key")],
            ["pkcs12", "-export", "-inkey", Path("leaf.key"), "-in", Path("leaf.pem"), "-certfile", Path("int.pem"), "-passout", "pass:" + Password, "-out", Path("leaf.pfx")],
        ];
        foreach (var step in steps)
        {
            var r = await ExternalTool.RunAsync("openssl", step, TimeSpan.FromSeconds(30));
            if (r.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', step)}: {r}");
        }
        File.WriteAllText(Path("fullchain.pem"), File.ReadAllText(Path("leaf.pem")) + File.ReadAllText(Path("int.pem")));
        File.WriteAllText(Path("combined.pem"), File.ReadAllText(Path("fullchain.pem")) + File.ReadAllText(Path("leaf.key")));
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <c>serve --cert</c> as Kestrel takes certificates: the whole chain of a fullchain.pem or
/// a .pfx is sent (RFC 8446 §4.4.2), so a client trusting only the root verifies the server
/// (curl --cacert ca.pem), exactly as it does with nghttpd given the same files; encrypted keys
/// and PKCS#12 with a password; one clear line for each way the files can be wrong.
/// </summary>
public sealed class ServeTlsChainTests(OpensslPki pki) : IClassFixture<OpensslPki>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private void RequireOpenssl()
    {
        if (pki.Missing is not null) ExternalTool.Require(pki.Missing);
    }

    /// <summary>curl verifying the server against ca.pem only (no -k), for 127.0.0.1.</summary>
    private static Task<ToolResult> CurlTrustingRoot(string url, string caFile) =>
        ExternalTool.RunAsync("curl", ["--http2", "--cacert", caFile, "-sS", "--max-time", "15", "-o", "/dev/null", "-w", "%{http_version} %{response_code}", url], Bound);

    public static TheoryData<string, string[]> Forms => new()
    {
        { "fullchain.pem + key", ["--cert", "fullchain.pem", "--key", "leaf.key"] },
        { "fullchain.pem + encrypted key", ["--cert", "fullchain.pem", "--key", "leaf.enc.key", "--key-password", OpensslPki.Password] },
        { "one PEM file with chain and key", ["--cert", "combined.pem"] },
        { "PKCS#12 with a password", ["--cert", "leaf.pfx", "--key-password", OpensslPki.Password] },
    };

    [Theory(DisplayName = "RFC 8446 §4.4.2: serve --cert sends the whole chain; curl --cacert ROOT verifies it and gets h2")]
    [MemberData(nameof(Forms))]
    public async Task CurlVerifiesChain(string form, string[] args)
    {
        RequireOpenssl();
        _ = form;
        var resolved = args.Select(a => File.Exists(pki.Path(a)) ? pki.Path(a) : a).ToArray();
        await using var server = await ServeProcess.StartAsync(resolved);
        var r = await CurlTrustingRoot(server.Base + "/", pki.Path("ca.pem"));
        Assert.True(r.ExitCode == 0, r + "\n--- server ---\n" + server.Stderr);
        Assert.Equal("2 200", r.Output);
    }

    [Fact(DisplayName = "RFC 8446 §4.4.2: with the same files, curl --cacert ROOT verifies nghttpd and serve alike; with the leaf alone, neither")]
    public async Task SameAsNghttpd()
    {
        RequireOpenssl();
        var nghttpdPath = ExternalTool.Require("nghttpd");
        // nghttpd sends the chain of its certificate file: the reference behaviour.
        var port = FreePort();
        using var nghttpd = Process.Start(new ProcessStartInfo(nghttpdPath,
            ["--address=127.0.0.1", "-d", pki.Dir, port.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.Path("leaf.key"), pki.Path("fullchain.pem")])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        try
        {
            await WaitListening(port);
            File.WriteAllText(pki.Path("index.html"), "ok\n");
            var reference = await CurlTrustingRoot($"https://127.0.0.1:{port}/index.html", pki.Path("ca.pem"));
            Assert.True(reference.ExitCode == 0, "nghttpd: " + reference);

            await using var ours = await ServeProcess.StartAsync("--cert", pki.Path("fullchain.pem"), "--key", pki.Path("leaf.key"));
            var r = await CurlTrustingRoot(ours.Base + "/", pki.Path("ca.pem"));
            Assert.True(r.ExitCode == 0, "h2ref serve: " + r + "\n" + ours.Stderr);

            // The control: the leaf without its intermediate cannot be verified from the root.
            await using var leafOnly = await ServeProcess.StartAsync("--cert", pki.Path("leaf.pem"), "--key", pki.Path("leaf.key"));
            var unverifiable = await CurlTrustingRoot(leafOnly.Base + "/", pki.Path("ca.pem"));
            Assert.True(unverifiable.ExitCode == 60, "the leaf alone should not verify (curl exit 60): " + unverifiable);
        }
        finally
        {
            if (!nghttpd.HasExited) nghttpd.Kill();
            await nghttpd.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    public static TheoryData<string, string[], string> Failures => new()
    {
        { "PKCS#12, wrong password", ["--cert", "leaf.pfx", "--key-password", "wrong"], "wrong password" },
        { "PKCS#12, no password", ["--cert", "leaf.pfx"], "--key-password" },
        { "encrypted key, no password", ["--cert", "fullchain.pem", "--key", "leaf.enc.key"], "is encrypted: give its password (--key-password)" },
        { "encrypted key, wrong password", ["--cert", "fullchain.pem", "--key", "leaf.enc.key", "--key-password", "wrong"], "wrong password" },
        { "OpenSSL's legacy encrypted key", ["--cert", "fullchain.pem", "--key", "leaf.legacy.key", "--key-password", OpensslPki.Password], "openssl pkcs8 -topk8" },
        { "key of another certificate", ["--cert", "fullchain.pem", "--key", "int.key"], "the certificate" },
        { "missing key file", ["--cert", "fullchain.pem", "--key", "nope.key"], "no key file" },
        { "missing certificate file", ["--cert", "nope.pem", "--key", "leaf.key"], "no certificate file" },
        { "certificate without a key", ["--cert", "leaf.pem"], "holds no PEM private key" },
    };

    [Theory(DisplayName = "serve --cert/--key/--key-password that cannot be used: one line saying why, exit 1, no stack trace")]
    [MemberData(nameof(Failures))]
    public async Task ClearErrors(string kind, string[] args, string expected)
    {
        RequireOpenssl();
        _ = kind;
        var resolved = args.Select(a => a.EndsWith(".pem", StringComparison.Ordinal) || a.EndsWith(".key", StringComparison.Ordinal) || a.EndsWith(".pfx", StringComparison.Ordinal) ? pki.Path(a) : a).ToArray();
        var r = await ServeProcess.RunToExitAsync(resolved);
        Assert.False(r.TimedOut, "h2ref serve started instead of failing");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("h2ref serve: cannot use certificate ", r.Stderr);
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitListening(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                return;
            }
            catch (SocketException) { await Task.Delay(100, TestContext.Current.CancellationToken); }
        }
        Assert.Fail($"nghttpd did not listen on {port} within 10 s");
    }
}

/// <summary>.NET HttpClient trusting only the openssl root verifies <c>serve --cert fullchain.pem</c>: the intermediate came from the server.</summary>
public sealed class ServeTlsChainHttpClientTests(OpensslPki pki) : IClassFixture<OpensslPki>
{
    [Fact(DisplayName = "RFC 8446 §4.4.2: HttpClient with the root as its only trust anchor (no intermediate given) verifies serve's chain over h2")]
    public async Task HttpClientVerifiesChain()
    {
        if (pki.Missing is not null) ExternalTool.Require(pki.Missing);
        await using var server = await ServeProcess.StartAsync("--cert", pki.Path("fullchain.pem"), "--key", pki.Path("leaf.key"));
        using var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(pki.Path("ca.pem"));
        var chainLength = 0;
        System.Net.Security.SslPolicyErrors? errors = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, received, policyErrors) =>
                {
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    chain.ChainPolicy.DisableCertificateDownloads = true;
                    // Only what the server sent (the received chain's elements), never the files.
                    if (received is not null)
                        foreach (var element in received.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                    var ok = certificate is not null && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
                    chainLength = chain.ChainElements.Count;
                    errors = policyErrors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors; // the name must still match
                    return ok && errors == System.Net.Security.SslPolicyErrors.None;
                },
            },
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(20),
        };
        using var response = await client.GetAsync(server.Base + "/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(System.Net.Security.SslPolicyErrors.None, errors);
        Assert.Equal(3, chainLength); // leaf, intermediate (sent by the server), root
    }
}
