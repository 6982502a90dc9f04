using System.Globalization;
using System.Runtime.InteropServices;
using Http2.Reference.Server;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref serve</c>: runs the reference server with the demo application
/// (<see cref="DemoHandler"/>): h2c with prior knowledge on 127.0.0.1:8080 by
/// default, or TLS with <c>--tls</c>.
/// </summary>
public sealed class ServeCommand(CliIO io) : ICommand
{
    /// <summary>Uses the process's console (how h2ref creates it).</summary>
    public ServeCommand() : this(CliIO.Process) { }

    /// <inheritdoc />
    public string Name => "serve";

    /// <inheritdoc />
    public string Summary => "run the HTTP/2 reference server (h2c on 127.0.0.1:8080 by default)";

    private const string Usage = """
        usage: h2ref serve [--host H] [--port P] [--tls [--cert FILE [--key FILE]]] [-d DIR] [-v] [-q]

          --host H      address to listen on (default 127.0.0.1; * for every address)
          -p, --port P  TCP port (default 8080; 0 picks a free one)
          --tls         TLS with ALPN h2; without --cert a self-signed
                        certificate is generated at start (clients: curl -k)
          --cert FILE   the certificate: PEM (the server's first, then its
                        intermediates: a fullchain.pem is sent whole), or
                        PKCS#12 (.pfx/.p12, key and chain inside)
          --key FILE    the PEM private key (PKCS#8, PKCS#1, SEC1, or encrypted
                        PKCS#8); without it, the key is looked for in --cert
          --key-password PASS   the password of an encrypted key or a .pfx
                        (or the environment variable H2REF_KEY_PASSWORD)
          -d DIR        serve the files under DIR (like nghttpd -d), demo routes otherwise
          -v            frame-level logging (every frame received and sent)
          -q            no access log (warnings and errors are still printed)
          --max-streams N, --window N, --settings-timeout SECONDS   protocol knobs

        access log (standard output), one line per stream when it ends:
          ADDRESS - - [DATE] "METHOD PATH HTTP/2" STATUS OCTETS PUSHED OUTCOME
          (OCTETS: response body octets sent; PUSHED: P or -; OUTCOME: done,
          or reset CODE)
        routes: /  (text; pushes /css/style.css as the seed example does)
                /bytes/N  /echo (POST)  /delay/S (S <= 10)  /css/style.css
        Ctrl+C (or SIGTERM) stops gracefully: GOAWAY, running streams finish.
        """;

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args) => CommandRunner.GuardAsync(io, Name, () => ServeAsync(args));

    private async Task<int> ServeAsync(string[] argv)
    {
        var args = Args.Parse(argv,
            ["host", "port", "cert", "key", "key-password", "htdocs", "max-streams", "window", "settings-timeout"],
            ["tls", "verbose", "quiet"],
            new Dictionary<char, string> { ['p'] = "port", ['d'] = "htdocs", ['v'] = "verbose", ['q'] = "quiet" });
        if (args.Flag("help")) { io.Out.WriteLine(Usage); return 0; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var host = args.Value("host") ?? "127.0.0.1";
        if (host.Length == 0) throw new UsageException("--host needs an address or a name");
        var port = args.Port("port") ?? 8080;
        var cert = args.Value("cert");
        var key = args.Value("key");
        var password = args.Value("key-password") ?? Environment.GetEnvironmentVariable("H2REF_KEY_PASSWORD");
        if (key is not null && cert is null) throw new UsageException("--key needs --cert");
        if (args.Value("key-password") is not null && cert is null) throw new UsageException("--key-password needs --cert");
        var tls = args.Flag("tls") || cert is not null;
        var dir = args.Value("htdocs");
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"no directory {dir} (-d)");
        var verbose = args.Flag("verbose");
        var quiet = args.Flag("quiet");
        var options = ServerOptions.Default;
        if (args.Long("max-streams", 0, uint.MaxValue) is { } streams) options = options with { MaxConcurrentStreams = (uint)streams };
        // RFC 9113 §6.5.2: SETTINGS_INITIAL_WINDOW_SIZE is at most 2^31-1.
        if (args.Long("window", 0, int.MaxValue) is { } window) options = options with { InitialWindowSize = (uint)window };
        if (args.Seconds("settings-timeout", 0.001, 3600) is { } timeout) options = options with { SettingsAckTimeout = timeout };

        TlsOptions? tlsOptions = null;
        if (tls)
        {
            // A missing file, no PEM in it, a wrong password, a key that is not the certificate's: one line.
            var loaded = cert is not null ? TlsOptions.Load(cert, key, password) : SelfSigned(host);
            (tlsOptions, var why) = loaded.Match(Right: o => (o, (string?)null), Left: w => ((TlsOptions?)null, w));
            if (why is not null)
            {
                io.Err.WriteLine(cert is null
                    ? $"h2ref serve: cannot make a self-signed certificate: {why}"
                    : $"h2ref serve: cannot use certificate {cert}{(key is null ? "" : $" with key {key}")}: {why}");
                return 1;
            }
        }

        var stats = Environment.GetEnvironmentVariable("H2REF_STATS") is "1";
        using var allocations = stats ? new AllocationSampler() : null;
        using var loggerFactory = ServeLog.Create(verbose, quiet);
        options = options with { LoggerFactory = loggerFactory, AccessLog = !quiet, LogFrames = verbose };
        Http2Server server;
        try
        {
            var files = dir is null ? null : new StaticFiles(dir);
            server = new Http2Server(host == "*" ? null : host, port, () => new DemoHandler(files), tlsOptions, options);
            server.Start();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException or InvalidOperationException)
        {
            // A name that does not resolve (or resolves to nothing), an address not on this host, a port in use.
            io.Err.WriteLine($"h2ref serve: cannot listen on --host {host} --port {port}: {e.Message}");
            return 1;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        io.Err.WriteLine($"h2ref serve: {(tls ? "https (TLS, ALPN h2)" : "h2c (prior knowledge)")} on {server.LocalEndPoint}" +
                         (tls && cert is null ? ", self-signed certificate" : ""));
        await server.RunAsync(stop.Token);
        if (stats) PrintStats();
        allocations?.Print();
        return 0;
    }

    /// <summary>
    /// Process-wide runtime counters on exit (env H2REF_STATS=1), to see what a
    /// load cost beyond CPU time: allocations, collections, thread-pool work
    /// items and lock contention (divide by the requests served).
    /// </summary>
    /// <summary>A self-signed certificate for <paramref name="host"/>, or why the platform cannot make one.</summary>
    private static LanguageExt.Either<string, TlsOptions> SelfSigned(string host)
    {
        try { return TlsOptions.SelfSigned(host); }
        catch (System.Security.Cryptography.CryptographicException e) { return e.Message; }
    }

    private static void PrintStats()
    {
        var info = GC.GetGCMemoryInfo();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"h2ref stats: allocated {GC.GetTotalAllocatedBytes()} B, gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, " +
            $"pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, heap {info.HeapSizeBytes} B, " +
            $"thread-pool items {ThreadPool.CompletedWorkItemCount}, threads {ThreadPool.ThreadCount}, lock contentions {Monitor.LockContentionCount}"));
    }
}

/// <summary>
/// Samples allocations by type through the runtime's GC AllocationTick event
/// (one event per ~100 KB allocated), for H2REF_STATS=1: where the octets per
/// request go, without a profiler.
/// </summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var i = e.PayloadNames!.IndexOf("TypeName");
        var amount = e.PayloadNames.IndexOf("AllocationAmount64");
        if (i < 0 || amount < 0) return;
        var type = e.Payload[i] as string ?? "?";
        lock (bytes) bytes[type] = bytes.GetValueOrDefault(type) + Convert.ToInt64(e.Payload[amount], CultureInfo.InvariantCulture);
    }

    public void Print()
    {
        lock (bytes)
            foreach (var (type, n) in bytes.OrderByDescending(p => p.Value).Take(40))
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"h2ref alloc {n,14} {type}"));
    }
}
