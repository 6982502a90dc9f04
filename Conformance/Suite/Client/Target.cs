using LanguageExt;

namespace Conformance.Suite.Client;

/// <summary>
/// The server under test: where it listens, h2c (prior knowledge, RFC 9113
/// §3.3) or TLS with ALPN "h2" (§3.2), the request path cases use, and the
/// PID of the process when it is local and known (memory checks).
/// </summary>
public sealed record Target(
    string Host,
    int Port,
    bool Tls = false,
    bool Insecure = false,
    string Path = "/",
    Option<int> Pid = default)
{
    /// <summary>The :authority the cases send.</summary>
    public string Authority => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The :scheme the cases send.</summary>
    public string Scheme => Tls ? "https" : "http";

    public override string ToString() => $"{(Tls ? "https" : "h2c")}://{Authority}";
}
