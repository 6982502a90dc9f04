using System.Globalization;
using LanguageExt;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.Runner;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref conformance</c>: runs the conformance cases (Conformance/Suite)
/// against any HTTP/2 server, h2c or TLS, and prints a tree of sections with
/// pass/fail/timeout per case. It takes h2spec's command line as well
/// (<c>-h -p -t -k -S -P -o -j -v</c> and case or section ids such as
/// <c>http2/6.9</c>), ends with h2spec's summary line and exits as h2spec
/// does: 0 when every case passes (with <c>--implementation NAME</c>: when
/// every failure is a known, explained deviation of NAME), 1 otherwise, 2 on
/// a usage error.
/// </summary>
public sealed class ConformanceCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "conformance";

    /// <inheritdoc />
    public string Summary => "run the RFC 9113 / RFC 7541 server checks against host:port (h2c or TLS); takes h2spec's options";

    static string Usage => $$"""
        usage: h2ref conformance [options] [ID...]
               (h2spec's command line works too: h2ref conformance -h HOST -p PORT [-t -k -S] [http2/6.9 ...])

          ID                      run only these cases: an id or an id prefix as h2spec
                                  takes them (http2/6.9, hpack/4.2/1, generic) or ours
                                  (9113/8.2.1, 7541)
          -h, --host HOST         server address (default 127.0.0.1)
          -p, --port PORT         server port (required)
          -t, --tls               TLS with ALPN "h2" (default: h2c, prior knowledge)
          -k, --insecure          accept any TLS certificate
          -P, --path PATH         request path the cases use (default /)
          -S, --strict            also run the cases h2spec runs only with -S (SHOULDs)
          -o, --timeout SECONDS   per-step timeout (default 2)
          -j, --junit FILE        also write JUnit XML (--junit-report FILE too; - for stdout,
                                  the human report then goes to stderr)
          -v, --verbose           print skipped cases' reasons and failed cases' frames
              --section S         only cases of an RFC section and its subsections:
                                  6.5, 9113/6.5, 7541/5.2, hpack, http2
              --profile NAME      the client's preface SETTINGS:
        {{string.Join("\n", Profile.All.Map(p => $"                            {p.Name,-9} {p.Description}{(p == Profile.All.Head ? " (default)" : "")}"))}}
              --implementation NAME  the target is NAME ({{string.Join(", ", KnownImplementations)}}): its
                                  examined failures are reported as "{{CaseResult.KnownLabel}}: NAME"
                                  and do not fail the run
              --parallel N        cases run at once (default 16)
              --pid PID           the server's process id (local servers): the
                                  resource-exhaustion cases check its memory
              --json FILE         also write JSON (- for stdout)
              --list, --dryrun    list the cases and exit (--markdown: the whole
                                  catalogue as docs/conformance-cases.md's table)
              --trace             print every case's frames (sent and received)

        The last line is h2spec's: "N tests, N passed, N skipped, N failed" (known
        deviations count as skipped). Exit status: 0 when no case failed, 1 when
        one did or the target cannot be tested, 2 on a usage error.
        """;

    /// <summary>The implementations whose examined deviations the catalogue records.</summary>
    public static readonly Seq<string> KnownImplementations =
        AllCases.Cases.Bind(c => c.KnownDeviations).Map(d => d.Implementation).Distinct().Order(StringComparer.Ordinal).ToSeq();

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] argv)
    {
        Args args;
        RunOptions options;
        Seq<Conformance.Suite.Model.Case> cases;
        Option<string> junit, json;
        bool list, verbose, trace;
        try
        {
            args = Args.Parse(argv,
                ["host", "port", "path", "timeout", "junit", "junit-report", "json", "section", "profile", "implementation", "parallel", "pid"],
                ["tls", "insecure", "strict", "verbose", "trace", "list", "dryrun", "markdown"],
                new Dictionary<char, string>
                {
                    ['h'] = "host", ['p'] = "port", ['t'] = "tls", ['k'] = "insecure", ['S'] = "strict",
                    ['P'] = "path", ['o'] = "timeout", ['j'] = "junit", ['v'] = "verbose",
                });
            if (args.Flag("help")) { Console.WriteLine(Usage); return 0; }
            list = args.Flag("list") || args.Flag("dryrun");
            verbose = args.Flag("verbose");
            trace = args.Flag("trace");
            junit = Optional(args.Value("junit") ?? args.Value("junit-report"));
            json = Optional(args.Value("json"));
            var profileName = args.Value("profile") ?? Profile.H2spec.Name;
            var profile = Profile.Named(profileName).IfNone(() =>
                throw new UsageException($"unknown --profile '{profileName}' (known: {string.Join(", ", Profile.All.Map(p => p.Name))})"));
            var implementation = Optional(args.Value("implementation"));
            foreach (var name in implementation)
                if (!KnownImplementations.Exists(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)))
                    throw new UsageException($"unknown --implementation '{name}' (known: {string.Join(", ", KnownImplementations)})");
            var timeout = args.Seconds("timeout", 0.001, 3600) ?? RunOptions.DefaultTimeout;
            cases = AllCases.Select(args.Positionals.ToSeq(), Optional(args.Value("section")), args.Flag("strict"));
            if (cases.IsEmpty)
                throw new UsageException($"no case matches {string.Join(" ", args.Positionals.Concat(Optional(args.Value("section")).Map(s => $"--section {s}")))}");
            var target = new Target(args.Value("host") ?? "127.0.0.1", args.Int("port", 1, 65535) ?? (list ? 0 : throw new UsageException("--port (-p) is required")),
                args.Flag("tls"), args.Flag("insecure"), args.Value("path") ?? "/", Optional(args.Int("pid", 1)));
            options = new RunOptions(target, timeout, implementation, args.Int("parallel", 1, 1024) ?? 16) { Profile = profile };
            foreach (var f in junit) Writable(Args.OutputPath(args.Value("junit") is null ? "junit-report" : "junit", f), "JUnit report");
            foreach (var f in json) Writable(Args.OutputPath("json", f), "JSON report");
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"h2ref conformance: {e.Message} (h2ref conformance --help)");
            return 2;
        }

        if (list && args.Flag("markdown"))
        {
            Console.Write(CaseTable.Markdown(AllCases.Cases));
            return 0;
        }
        if (list)
        {
            foreach (var c in cases)
                Console.WriteLine($"{c.Id,-16} {c.Section,-18} {(c.FromH2spec ? "h2spec" : "extra"),-7}{(c.Strict ? " strict" : ""),-7} {c.Requirement}");
            Console.WriteLine($"{cases.Count} cases");
            return 0;
        }

        var problem = await Preflight.CheckAsync(options);
        foreach (var p in problem)
        {
            Console.Error.WriteLine($"h2ref conformance: {p}");
            return 1;
        }
        // with "-" (standard output) for --json or --junit, the human report (summary line included) goes to standard error
        var human = junit.Exists(f => f == "-") || json.Exists(f => f == "-") ? Console.Error : Console.Out;
        human.WriteLine($"h2ref conformance: {cases.Count} cases against {options.Target} (profile {options.Profile.Name}){options.Implementation.Map(n => $" (known deviations of {n})").IfNone("")}\n");
        var results = await SuiteRunner.RunAsync(cases, options);
        human.Write(Reports.Tree(results, verbose, trace));
        try
        {
            foreach (var f in junit)
                if (f == "-") Reports.JUnit(results, options.Target.ToString()).Save(Console.Out);
                else Reports.JUnit(results, options.Target.ToString()).Save(f);
            foreach (var f in json) CliIO.Process.WriteAllText(f, Reports.Json(results, options.Target.ToString()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"h2ref conformance: cannot write a report: {e.Message}");
            human.WriteLine(Totals.Of(results).H2specLine);
            return 1;
        }
        human.WriteLine(Totals.Of(results).H2specLine);
        return Totals.Of(results).Success(results) ? 0 : 1;
    }

    static Option<T> Optional<T>(T? value) where T : class => value is null ? Option<T>.None : Option<T>.Some(value);
    static Option<int> Optional(int? value) => value is null ? Option<int>.None : Option<int>.Some(value.Value);

    /// <summary>Fails before the run (not after it) when a report cannot be written: a missing directory, no permission, a directory in the way.</summary>
    static void Writable(string path, string what)
    {
        if (path == "-") return;
        var existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
            if (!existed) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot write the {what} to '{path}': {e.Message}");
        }
    }
}
