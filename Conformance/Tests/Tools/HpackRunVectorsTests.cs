using System.Diagnostics;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>
/// run-vectors.sh's program (tools/VectorRunner) run as a process on folders
/// of stories built here: the optional fields of the hpack-test-case format
/// that public encoder folders use (<c>"header_table_size": null</c>, no
/// <c>seqno</c>), and malformed stories reported in one line each.
/// </summary>
public sealed class HpackRunVectorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("run-vectors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Status, string Out, string Err) RunVectors(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "VectorRunner.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            Assert.Fail("run-vectors did not finish in 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private string Write(string folder, string file, string json)
    {
        Directory.CreateDirectory(Path.Combine(dir, folder));
        File.WriteAllText(Path.Combine(dir, folder, file), json);
        return Path.Combine(dir, folder);
    }

    [Fact(DisplayName = "run-vectors: an encoder folder whose cases have \"header_table_size\": null and no seqno decodes (RFC 7541 §4.2)")]
    public void NullTableSize()
    {
        // As some public encoders write it: every case carries the key, null when unchanged.
        Write("null-sizes", "story_00.json", """
            {"cases":[
              {"header_table_size":null,"wire":"4003782d610131","headers":[{"x-a":"1"}]},
              {"header_table_size":null,"wire":"be","headers":[{"x-a":"1"}]},
              {"header_table_size":0,"wire":"200003782d610132","headers":[{"x-a":"2"}]}]}
            """);
        Write("raw-data", "story_00.json", """{"cases":[{"header_table_size":null,"headers":[{"x-a":"1"}]},{"headers":[{"x-a":"1"}]}]}""");
        var (status, output, error) = RunVectors(dir);
        Assert.True(status == 0, output + error);
        Assert.Matches(@"null-sizes\s+1\s+3\s+3\s+0", output);
        Assert.Matches(@"ours: nghttp2\s+1\s+2\s+2\s+0", output);
        Assert.Equal("", error);
    }

    [Fact(DisplayName = "run-vectors: malformed stories fail the run with one line each naming the file and the case, never a trace")]
    public void MalformedStories()
    {
        var folder = Write("broken", "story_00.json", """{"cases":[{"wire":"82","headers":[{":method":"GET"}]},{"wire":"828","headers":[]}]}""");
        Write("broken", "story_01.json", """{"cases":[{"wire":"82","headers":[{":method":"GET"}]},7]}""");
        Write("broken", "story_02.json", """{"cases":[{"wire":"82","headers":[{":method":1}]}]}""");
        Write("broken", "story_03.json", """{"cases":[{"wire":"82","headers":[{":method":"GET"}]}]}""");
        var (status, output, error) = RunVectors(folder);
        Assert.Equal(1, status);
        Assert.DoesNotContain("Exception", output + error);
        Assert.DoesNotContain("   at ", output + error);
        var fails = output.Split('\n').Where(l => l.StartsWith("FAIL ")).ToArray();
        Assert.Equal(
            [
                "FAIL broken/story_00.json: case 1: \"wire\": '828' is not hex octets (an odd number of digits, 3)",
                "FAIL broken/story_01.json: case 1: is 7, not an object",
                "FAIL broken/story_02.json: case 0: header 0 (\":method\") has 1 as its value, not a string",
            ], fails);
        Assert.Matches(@"broken\s+4\s+1\s+1\s+0\s+.*\(3 unreadable stories\)", output);
    }
}
