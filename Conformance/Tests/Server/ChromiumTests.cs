using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>, installed by .ci/run) loads a page from
/// <c>h2ref serve --tls -d DIR</c> (self-signed certificate): a stylesheet, an SVG image,
/// an ES module importing another, and a <c>fetch()</c>. The module writes what it saw into
/// the page, and the test reads it from <c>--dump-dom</c>: the module ran (browsers run module
/// scripts only when served with a JavaScript media type), the image decoded (an SVG needs
/// image/svg+xml), the stylesheet applied, the fetch returned, and the protocol was h2.
/// </summary>
public sealed class ChromiumTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string dir = Directory.CreateTempSubdirectory("h2ref-chromium-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private void WritePage()
    {
        var www = Directory.CreateDirectory(Path.Combine(dir, "www")).FullName;
        File.WriteAllText(Path.Combine(www, "index.html"), """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>h2ref</title><link rel="stylesheet" href="style.css"></head>
            <body><img id="pic" src="pic.svg" alt="pic"><p id="out">pending</p>
            <script type="module" src="app.mjs"></script></body></html>
            """);
        File.WriteAllText(Path.Combine(www, "style.css"), "body { background-color: rgb(1, 2, 3); }\n");
        File.WriteAllText(Path.Combine(www, "pic.svg"), """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="teal"/></svg>""");
        File.WriteAllText(Path.Combine(www, "lib.mjs"), "export const answer = 42;\n");
        File.WriteAllText(Path.Combine(www, "data.json"), """{"ok": true}""");
        File.WriteAllText(Path.Combine(www, "app.mjs"), """
            import { answer } from './lib.mjs';
            const out = document.getElementById('out');
            const img = document.getElementById('pic');
            try {
              await img.decode().catch(() => {});
              const r = await fetch('data.json');
              const data = await r.json();
              const nav = performance.getEntriesByType('navigation')[0];
              out.textContent = 'RESULT ' + JSON.stringify({
                module: answer, width: img.naturalWidth, fetched: data.ok === true, fetchStatus: r.status,
                protocol: nav.nextHopProtocol, fetchProtocol: performance.getEntriesByName(r.url)[0]?.nextHopProtocol,
                background: getComputedStyle(document.body).backgroundColor });
            } catch (e) { out.textContent = 'ERROR ' + e; }
            """);
    }

    [Fact(DisplayName = "Chromium over TLS: module script, SVG image, stylesheet and fetch() all work from serve -d, over h2 (RFC 9113 §3.2)")]
    public async Task PageLoads()
    {
        if (!File.Exists(Chromium))
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 }) Assert.Fail("chromium is not installed (.ci/run installs it)");
            Assert.Skip("chromium is not installed: apt-get install chromium");
        }
        WritePage();
        await using var server = await ServeProcess.StartLoggingAsync("--tls", "-d", Path.Combine(dir, "www"));
        var profile = Directory.CreateDirectory(Path.Combine(dir, "profile")).FullName;
        // --virtual-time-budget: the DOM is dumped once the page's work (the module's awaits) is done.
        var r = await ExternalTool.RunAsync(Chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--ignore-certificate-errors",
             "--virtual-time-budget=10000", "--dump-dom", server.Base + "/"],
            TimeSpan.FromSeconds(90));
        Assert.False(r.TimedOut, "chromium did not finish in 90 s: " + r);
        var m = Regex.Match(r.Output, @"RESULT (\{.*?\})</p>");
        Assert.True(m.Success, "the module did not report (not run?):\n" + r + "\n--- server ---\n" + server.Stdout + server.Stderr);
        var seen = JObject.Parse(m.Groups[1].Value);
        Assert.Equal(42, (int)seen["module"]!);
        Assert.Equal(40, (int)seen["width"]!);            // the SVG decoded: naturalWidth > 0
        Assert.True((bool)seen["fetched"]!);
        Assert.Equal(200, (int)seen["fetchStatus"]!);
        Assert.Equal("rgb(1, 2, 3)", (string)seen["background"]!);
        Assert.Equal("h2", (string)seen["protocol"]!);
        Assert.Equal("h2", (string)seen["fetchProtocol"]!);
        // Every resource was answered whole and its stream ended normally (the logger writes on its own thread: wait a little).
        foreach (var path in new[] { "/", "/style.css", "/pic.svg", "/app.mjs", "/lib.mjs", "/data.json" })
        {
            var line = new Regex($"\"GET {Regex.Escape(path)} HTTP/2\" 200 \\d+ - done");
            for (var i = 0; i < 50 && !line.IsMatch(server.Stdout); i++) await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Matches(line, server.Stdout);
        }
    }
}
