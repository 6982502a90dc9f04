using LanguageExt;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.Runner;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref conformance</c>: runs the conformance cases (Conformance/Suite)
/// against any HTTP/2 server, h2c or TLS, and prints a tree of sections with
/// pass/fail/timeout per case. Exit status 0 only when every case passes
/// (with <c>--implementation NAME</c>: when every failure is a known,
/// explained deviation of NAME).
/// </summary>
public sealed class ConformanceCommand : ICommand
{
    public string Name => "conformance";
    public string Summary => "run the RFC 9113 / RFC 7541 server checks against host:port (h2c or TLS)";

    const string Usage = """
        usage: h2ref conformance --host HOST --port PORT [options]

          --host HOST           server address (default 127.0.0.1)
          --port PORT           server port (required)
          --tls                 TLS with ALPN "h2" (default: h2c, prior knowledge)
          --insecure            accept any TLS certificate
          --path PATH           request path the cases use (default /)
          --section S           only cases of a section and its subsections:
                                6.5, 9113/6.5, 7541/5.2, hpack, http2
          --timeout SECONDS     per-step timeout (default 2)
          --parallel N          cases run at once (default 16)
          --implementation NAME the target is NAME (e.g. nghttpd): its known,
                                explained deviations are reported as
                                "fail (known: NAME)" and do not fail the run
          --pid PID             the server's process id (local servers): the
                                resource-exhaustion cases check its memory
          --junit FILE          also write JUnit XML
          --json FILE           also write JSON
          --list                list the cases and exit
          --verbose             also print skipped cases' reasons
          --trace               print every case's transcript (frames sent
                                and received)
        """;

    public async Task<int> RunAsync(string[] args)
    {
        string host = "127.0.0.1", path = "/";
        int? port = null;
        bool tls = false, insecure = false, list = false, verbose = false, trace = false;
        var timeout = RunOptions.DefaultTimeout;
        var parallel = 16;
        Option<string> section = None, implementation = None, junit = None, json = None;
        Option<int> pid = Option<int>.None;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--host": host = Next(); break;
                    case "--port": port = (int)Args.Integer("port", Next(), 1, 65535); break;
                    case "--tls": tls = true; break;
                    case "--insecure": insecure = true; break;
                    case "--path": path = Next(); break;
                    case "--section": section = Next(); break;
                    case "--timeout": timeout = Args.Duration("timeout", Next(), 0.001, 3600); break;
                    case "--parallel": parallel = (int)Args.Integer("parallel", Next(), 1, 1024); break;
                    case "--implementation": implementation = Next(); break;
                    case "--pid": pid = (int)Args.Integer("pid", Next(), 1, int.MaxValue); break;
                    case "--junit": junit = Args.OutputPath("junit", Next()); break;
                    case "--json": json = Args.OutputPath("json", Next()); break;
                    case "--list": list = true; break;
                    case "--verbose": verbose = true; break;
                    case "--trace": trace = true; break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or UsageException)
        {
            Console.Error.WriteLine($"h2ref conformance: {e.Message} (h2ref conformance --help)");
            return 2;
        }

        var cases = AllCases.Select(section);
        if (list)
        {
            foreach (var c in cases) Console.WriteLine($"{c.Id,-14} {c.Section,-18} {c.Origin,-24} {c.Requirement}");
            Console.WriteLine($"{cases.Count} cases");
            return 0;
        }
        if (port is null) { Console.Error.WriteLine($"h2ref conformance: --port is required\n{Usage}"); return 2; }
        if (cases.IsEmpty) { Console.Error.WriteLine($"h2ref conformance: no case in section {section.IfNone("")}"); return 2; }

        if (!System.Net.IPAddress.TryParse(host, out _))
        {
            // A name that does not resolve is one line, not a failure of every case.
            try { await System.Net.Dns.GetHostAddressesAsync(host); }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                Console.Error.WriteLine($"h2ref conformance: --host {host}: {e.Message}");
                return 1;
            }
        }
        var target = new Target(host, port.Value, tls, insecure, path, pid);
        // With "-" (standard output) for --json or --junit, the human report goes to standard error.
        var human = junit.Exists(f => f == "-") || json.Exists(f => f == "-") ? Console.Error : Console.Out;
        human.WriteLine($"h2ref conformance: {cases.Count} cases against {target}{implementation.Map(n => $" (known deviations of {n})").IfNone("")}\n");
        var results = await SuiteRunner.RunAsync(cases, new RunOptions(target, timeout, implementation, parallel));
        human.Write(Reports.Tree(results, verbose, trace));
        try
        {
            foreach (var f in junit)
                if (f == "-") Reports.JUnit(results, target.ToString()).Save(Console.Out);
                else Reports.JUnit(results, target.ToString()).Save(f);
            foreach (var f in json) CliIO.Process.WriteAllText(f, Reports.Json(results, target.ToString()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"h2ref conformance: cannot write the report: {e.Message}");
            return 1;
        }
        return Totals.Of(results).Success(results) ? 0 : 1;
    }

    static Option<string> None => Option<string>.None;
}
