using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Conformance.Tests.Server;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>
/// <c>h2ref</c> run as users run it (a child process): every command's options with bad
/// values end in one line on stderr that names the option, exit 2 for a usage error or 1
/// for a runtime failure, and never a stack trace (the runtime's unhandled-exception exit
/// is 134).
/// </summary>
public sealed class CliBadInputTests : IDisposable
{
    private static readonly string Missing = Path.Combine(Path.GetTempPath(), "h2ref-no-such-dir-" + Guid.NewGuid().ToString("N"));
    private readonly string dir = Directory.CreateTempSubdirectory("h2ref-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs <c>dotnet h2ref.dll ARGS</c> with empty stdin, bounded by 30 s.</summary>
    public static Task<ToolResult> H2ref(params string[] args)
    {
        var psi = new ProcessStartInfo(ServeProcess.Dotnet());
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "h2ref.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("H2REF_TRACE");
        return ExternalTool.RunAsync(psi, TimeSpan.FromSeconds(30), stdin: []);
    }

    /// <summary>Each case: the arguments, the exit status, a text stderr must hold (the option's name, or the value at fault).</summary>
    public static TheoryData<string[], int, string> Cases => new()
    {
        // serve
        { ["serve", "--port", "abc"], 2, "--port" },
        { ["serve", "--port", "70000"], 2, "--port" },
        { ["serve", "--port", "-1"], 2, "--port" },
        { ["serve", "-p", "8o8o"], 2, "--port" },
        { ["serve", "--port"], 2, "--port needs a value" },
        { ["serve", "--host", "bad.invalid", "--port", "0"], 1, "--host bad.invalid" },
        { ["serve", "--host", "", "--port", "0"], 2, "--host" },
        { ["serve", "--host", "192.0.2.1", "--port", "0"], 1, "--host 192.0.2.1" }, // TEST-NET: not an address of this host
        { ["serve", "--max-streams", "-3"], 2, "--max-streams" },
        { ["serve", "--window", "2147483648"], 2, "--window" },
        { ["serve", "--settings-timeout", "soon"], 2, "--settings-timeout" },
        { ["serve", "-d", Missing], 2, "-d" },
        { ["serve", "--cert", Path.Combine(Missing, "c.pem"), "--port", "0"], 1, "no certificate file" },
        { ["serve", "--key", "k.pem"], 2, "--key needs --cert" },
        { ["serve", "--frobnicate"], 2, "--frobnicate" },
        { ["serve", "stray"], 2, "stray" },
        // hpack
        { ["hpack"], 2, "verbs:" },
        { ["hpack", "frobnicate"], 2, "frobnicate" },
        { ["hpack", "encode", "-s", "abc"], 2, "--table-size" },
        { ["hpack", "encode", "--cap", "-1"], 2, "--cap" },
        { ["hpack", "encode", "--strategy", "nope"], 2, "nope" },
        { ["hpack", "encode", Path.Combine(Missing, "in.txt")], 1, Missing },
        { ["hpack", "decode", Path.Combine(Missing, "in.json")], 1, Missing },
        { ["hpack", "decode", "--bogus"], 2, "--bogus" },
        { ["hpack", "explain", "zz"], 1, "hex" },
        { ["hpack", "explain", "--story", "x.json", "--seqno", "one"], 2, "--seqno" },
        { ["hpack", "explain", "--table-size", "big", "82"], 2, "--table-size" },
        { ["hpack", "compare", "--max-failures", "many", "x"], 2, "--max-failures" },
        { ["hpack", "compare", Missing], 1, Missing },
        // frames
        { ["frames", "decode", "--max-frame-size", "abc", "00"], 2, "--max-frame-size" },
        { ["frames", "decode", "--table-size", "-5", "00"], 2, "--table-size" },
        { ["frames", "decode", "--file", Path.Combine(Missing, "cap.bin")], 1, Missing },
        { ["frames", "decode", "xyz"], 1, "hex" },
        { ["frames", "encode"], 2, "encode" },
        // conformance
        { ["conformance", "--port", "abc"], 2, "--port" },
        { ["conformance", "--port", "70000"], 2, "--port" },
        { ["conformance", "--port", "-1"], 2, "--port" },
        { ["conformance", "--port", "1", "--timeout", "soon"], 2, "--timeout" },
        { ["conformance", "--port", "1", "--parallel", "0"], 2, "--parallel" },
        { ["conformance", "--port", "1", "--pid", "me"], 2, "--pid" },
        { ["conformance", "--port", "1", "--junit", Path.Combine(Missing, "x.xml")], 2, Missing },
        { ["conformance", "--port", "1", "--json", Path.Combine(Missing, "x.json")], 2, Missing },
        { ["conformance", "--host", "bad.invalid", "--port", "1"], 1, "bad.invalid" },
        { ["conformance", "--frobnicate"], 2, "--frobnicate" },
        // top level
        { ["frobnicate"], 2, "frobnicate" },
    };

    [Theory(DisplayName = "h2ref: a bad option value, port, host or path is one line naming it, exit 2 (usage) or 1 (runtime), never a stack trace")]
    [MemberData(nameof(Cases))]
    public async Task BadInput(string[] args, int status, string named)
    {
        var r = await H2ref(args);
        Assert.False(r.TimedOut, $"h2ref {string.Join(' ', args)} did not end: {r}");
        Assert.True(r.ExitCode == status, $"h2ref {string.Join(' ', args)}: expected exit {status}\n{r}");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Unhandled exception", r.Stderr);
        Assert.Contains(named, r.Stderr);
        if (args is not ["hpack"]) // the verb list is the usage text, on purpose
            Assert.True(r.Stderr.Trim().Split('\n').Length == 1, $"h2ref {string.Join(' ', args)}: more than one line\n{r}");
    }

    [Fact(DisplayName = "h2ref serve --port P where P is taken: one line naming host and port, exit 1")]
    public async Task PortInUse()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var r = await H2ref("serve", "--host", "127.0.0.1", "--port", port);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"--port {port}", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact(DisplayName = "h2ref conformance --junit DIR (a directory, not a file): one line, exit 2, before any case runs")]
    public async Task OutputIsDirectory()
    {
        var r = await H2ref("conformance", "--port", "1", "--junit", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(dir, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Empty(r.Output);
    }

    [Fact(DisplayName = "h2ref --version prints one line: h2ref and its version, exit 0")]
    public async Task Version()
    {
        var r = await H2ref("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^h2ref \d+\.\d+\.\d+\S*\n$", r.Output);
    }

    [Fact(DisplayName = "h2ref conformance --json - --junit -: the reports go to standard output (the tree to stderr), no file named '-'")]
    public async Task DashIsStdout()
    {
        await using var server = await ServeProcess.StartAsync();
        var port = server.Base[(server.Base.LastIndexOf(':') + 1)..];
        var before = File.Exists("-");
        var r = await H2ref("conformance", "--port", port, "--section", "6.7", "--json", "-");
        Assert.True(r.ExitCode == 0, r.ToString());
        var json = Newtonsoft.Json.Linq.JToken.Parse(r.Output); // stdout is the JSON document alone
        Assert.NotNull(json);
        Assert.Contains("§6.7", r.Stderr);
        Assert.Equal(before, File.Exists("-"));
        var x = await H2ref("conformance", "--port", port, "--section", "6.7", "--junit", "-");
        Assert.True(x.ExitCode == 0, x.ToString());
        Assert.NotNull(System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(x.Stdout)));
    }
}
