using System.Globalization;
using System.Runtime.InteropServices;
using Reference.Server;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref serve</c>: runs the reference server with the demo application
/// (<see cref="DemoHandler"/>): h2c with prior knowledge on 127.0.0.1:8080 by
/// default, or TLS with <c>--tls</c>.
/// </summary>
public sealed class ServeCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "serve";

    /// <inheritdoc />
    public string Summary => "run the HTTP/2 reference server (h2c on 127.0.0.1:8080 by default)";

    private const string Usage = """
        usage: h2ref serve [--host H] [--port P] [--tls [--cert FILE --key FILE]] [-d DIR] [-v] [-q]

          --host H      address to listen on (default 127.0.0.1; * for every address)
          --port P      TCP port (default 8080; 0 picks a free one)
          --tls         TLS with ALPN h2; without --cert/--key a self-signed
                        certificate is generated at start (clients: curl -k)
          --cert FILE   PEM certificate (with --key: PEM private key)
          -d DIR        serve the files under DIR (like nghttpd -d), demo routes otherwise
          -v            frame-level logging (every frame received and sent)
          -q            no access log
          --max-streams N, --window N, --settings-timeout SECONDS   protocol knobs

        routes: /  (text; pushes /css/style.css as the seed example does)
                /bytes/N  /echo (POST)  /delay/S (S <= 10)  /css/style.css
        Ctrl+C (or SIGTERM) stops gracefully: GOAWAY, running streams finish.
        """;

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string host = "127.0.0.1", port = "8080";
        string? cert = null, key = null, dir = null;
        bool tls = false, verbose = false, quiet = false;
        var options = ServerOptions.Default;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--host": host = Next(); break;
                    case "--port" or "-p": port = Next(); break;
                    case "--tls": tls = true; break;
                    case "--cert": cert = Next(); tls = true; break;
                    case "--key": key = Next(); tls = true; break;
                    case "-d" or "--htdocs": dir = Next(); break;
                    case "-v" or "--verbose": verbose = true; break;
                    case "-q" or "--quiet": quiet = true; break;
                    case "--max-streams": options = options with { MaxConcurrentStreams = uint.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--window": options = options with { InitialWindowSize = uint.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--settings-timeout": options = options with { SettingsAckTimeout = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if ((cert is null) != (key is null)) throw new ArgumentException("--cert and --key go together");
            if (dir is not null && !Directory.Exists(dir)) throw new ArgumentException($"no directory {dir}");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"h2ref serve: {e.Message}\n\n{Usage}");
            return 2;
        }

        var stats = Environment.GetEnvironmentVariable("H2REF_STATS") is "1";
        using var allocations = stats ? new AllocationSampler() : null;
        using var loggerFactory = ServeConsoleFormatter.Create(verbose, quiet);
        options = options with { LoggerFactory = loggerFactory, AccessLog = !quiet, LogFrames = verbose };
        TlsOptions? tlsOptions = null;
        if (tls)
        {
            try { tlsOptions = cert is not null ? TlsOptions.FromPemFiles(cert, key!) : TlsOptions.SelfSigned(host); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                                          or System.Security.Cryptography.CryptographicException)
            {
                // A missing file, no PEM in it, or a key that is not the certificate's: say so, no stack trace.
                Console.Error.WriteLine(cert is null
                    ? $"h2ref serve: cannot make a self-signed certificate: {e.Message}"
                    : $"h2ref serve: cannot use certificate {cert} with key {key}: {e.Message}");
                return 1;
            }
        }

        var server = new Http2Server(host == "*" ? null : host, int.Parse(port, CultureInfo.InvariantCulture),
            () => new DemoHandler(dir), tlsOptions, options);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        try { server.Start(); }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"h2ref serve: cannot listen on {host}:{port}: {e.Message}");
            return 1;
        }
        Console.Error.WriteLine($"h2ref serve: {(tls ? "https (TLS, ALPN h2)" : "h2c (prior knowledge)")} on {server.LocalEndPoint}" +
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
