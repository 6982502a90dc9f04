using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2.Reference.Server;

/// <summary>A certificate or key file that cannot be used, with the reason in one line.</summary>
internal sealed class CertificateFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads the server's certificate, its chain and its key from files, the ways
/// Kestrel accepts them: a PEM file with the certificate first and its
/// intermediates after it (a <c>fullchain.pem</c>), with the key in the same
/// file or in its own PEM file (PKCS#8, PKCS#1, SEC1, or encrypted PKCS#8 with
/// a password); or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) with a password.
/// The whole chain is sent in the handshake (RFC 8446 §4.4.2: the sender's
/// certificate first, then each one certifying the one before), so a client
/// that trusts only the root can verify the server.
/// </summary>
internal static class CertificateFiles
{
    private const string PemCertificate = "-----BEGIN CERTIFICATE-----";
    private const string EncryptedKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

    /// <summary>
    /// TLS options for the certificate in <paramref name="certificatePath"/>, its key in
    /// <paramref name="keyPath"/> (or in the certificate file when null), decrypted with
    /// <paramref name="password"/> when encrypted.
    /// </summary>
    /// <exception cref="CertificateFileException">A file is missing or unreadable, holds no certificate or key,
    /// the password is missing or wrong, or the key is not the certificate's.</exception>
    public static TlsOptions Load(string certificatePath, string? keyPath = null, string? password = null)
    {
        var (leaf, chain) = Read(certificatePath, keyPath, password);
        return new TlsOptions(leaf, chain);
    }

    /// <summary>The certificate with its private key, and the certificates after it in the file (its chain).</summary>
    /// <exception cref="CertificateFileException">See <see cref="Load"/>.</exception>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) Read(string certificatePath, string? keyPath = null, string? password = null)
    {
        var certificateBytes = ReadFile(certificatePath, "certificate");
        var text = System.Text.Encoding.ASCII.GetString(certificateBytes);
        if (!text.Contains(PemCertificate, StringComparison.Ordinal))
        {
            if (keyPath is not null)
                throw new CertificateFileException($"{certificatePath} holds no PEM certificate (\"{PemCertificate}\")");
            return Pkcs12(certificatePath, certificateBytes, password);
        }
        var all = new X509Certificate2Collection();
        try { all.ImportFromPem(text); }
        catch (CryptographicException e) { throw new CertificateFileException($"{certificatePath}: a PEM certificate cannot be read ({e.Message})", e); }
        if (all.Count == 0) throw new CertificateFileException($"{certificatePath} holds no certificate");
        var keyText = keyPath is null ? text : System.Text.Encoding.ASCII.GetString(ReadFile(keyPath, "key"));
        var keyName = keyPath ?? certificatePath;
        var leaf = WithKey(all[0], keyText, keyName, password);
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++) chain.Add(all[i]);
        return (leaf, chain);
    }

    private static byte[] ReadFile(string path, string what)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new CertificateFileException($"no {what} file {path}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CertificateFileException($"cannot read {what} file {path}: {e.Message}", e); }
    }

    /// <summary><paramref name="certificate"/> joined with the PEM private key in <paramref name="keyText"/>.</summary>
    private static X509Certificate2 WithKey(X509Certificate2 certificate, string keyText, string keyName, string? password)
    {
        var encrypted = keyText.Contains(EncryptedKey, StringComparison.Ordinal);
        if (encrypted && password is null)
            throw new CertificateFileException($"the key in {keyName} is encrypted: give its password (--key-password)");
        if (!encrypted && keyText.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
            throw new CertificateFileException(
                $"the key in {keyName} is in OpenSSL's legacy encrypted format: convert it with 'openssl pkcs8 -topk8 -in {keyName}'");
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new CertificateFileException($"{keyName} holds no PEM private key");
        using AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            "1.2.840.113549.1.1.1" => RSA.Create(),
            "1.2.840.10045.2.1" => ECDsa.Create(),
            var oid => throw new CertificateFileException($"the certificate's key algorithm {oid} is not RSA or ECDSA"),
        };
        try
        {
            if (encrypted) key.ImportFromEncryptedPem(keyText, password);
            else key.ImportFromPem(keyText);
        }
        catch (CryptographicException e) when (encrypted)
        {
            throw new CertificateFileException($"cannot decrypt the key in {keyName}: wrong password?", e);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateFileException($"the key in {keyName} cannot be read as an {(key is RSA ? "RSA" : "EC")} private key (is it the certificate's?)", e);
        }
        X509Certificate2 joined;
        try
        {
            joined = key switch
            {
                RSA rsa => certificate.CopyWithPrivateKey(rsa),
                ECDsa ec => certificate.CopyWithPrivateKey(ec),
                _ => throw new CertificateFileException("unsupported key"),
            };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new CertificateFileException($"the key in {keyName} does not match the certificate", e);
        }
        // Re-imported as PKCS#12 so the platform's TLS can use the key on every OS.
        using (joined) return X509CertificateLoader.LoadPkcs12(joined.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A PKCS#12 file: the certificate with a private key is the server's, the others its chain.</summary>
    private static (X509Certificate2, X509Certificate2Collection) Pkcs12(string path, byte[] octets, string? password)
    {
        X509Certificate2Collection all;
        try { all = X509CertificateLoader.LoadPkcs12Collection(octets, password); }
        catch (CryptographicException e)
        {
            throw new CertificateFileException(password is null
                ? $"{path} is neither PEM nor a PKCS#12 file readable without a password (--key-password)"
                : $"{path} cannot be read as PKCS#12 with the password given: wrong password, or not a .pfx", e);
        }
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                   ?? throw new CertificateFileException($"{path} holds no certificate with a private key");
        var chain = new X509Certificate2Collection();
        foreach (var c in all)
            if (!ReferenceEquals(c, leaf)) chain.Add(c);
        return (leaf, chain);
    }
}
