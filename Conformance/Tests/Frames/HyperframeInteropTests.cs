using System.Diagnostics;
using Xunit;

namespace Conformance.Tests.Frames;

/// <summary>
/// The golden frame vectors read by an independent implementation:
/// hyperframe (python-hyper, Debian python3-hyperframe), through
/// scripts/check-hyperframe.py. Guards against a codec and its vectors being
/// wrong in the same way.
/// </summary>
public class HyperframeInteropTests
{
    /// <summary>
    /// Where hyperframe 6.0 and RFC 9113 part ways; each is a hyperframe
    /// behaviour, not a vector error.
    /// </summary>
    private static readonly Dictionary<string, string> KnownDisagreements = new()
    {
        // §4.1/§6.6: the reserved bit before the Promised Stream ID "MUST be ignored"; hyperframe keeps it.
        ["push-promise-reserved-bit"] = "promised_stream_id",
        // §6.8: Last-Stream-ID is 31 bits after a reserved bit; hyperframe keeps the bit.
        ["goaway-reserved-bit"] = "last_stream_id",
        // §6.9: an increment of 0 is a PROTOCOL_ERROR whose scope depends on the stream; hyperframe rejects it while framing.
        ["window-update-zero"] = "InvalidDataError",
        // §6.9: the increment is 31 bits after a reserved bit; hyperframe reads 32 bits and rejects the value.
        ["window-update-reserved-bit"] = "InvalidDataError",
    };

    [Fact(DisplayName = "interop: hyperframe reads every valid frame vector to the same fields and rejects every invalid one, known hyperframe deviations aside")]
    public void VectorsAgreeWithHyperframe()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c", "import hyperframe").Status != 0)
        {
            var message = "hyperframe is not installed: apt-get install python3-h2 (it pulls in python3-hyperframe); .ci/run installs it";
            if (Environment.GetEnvironmentVariable("CI") is not null)
                Assert.Fail(message);
            Assert.Skip(message);
        }
        var script = FrameVectorTests.RepoPath("Conformance", "Tests", "Frames", "scripts", "check-hyperframe.py");
        var (status, output) = Run(python, script, FrameVectorTests.RepoPath());
        Assert.True(status == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("hyperframe ") && l.Contains("valid agree"));
        var disagreements = lines.Where(l => l.StartsWith("DISAGREE ")).ToList();
        var ids = disagreements.Select(l => l["DISAGREE ".Length..l.IndexOf(':')]).ToHashSet();
        Assert.True(ids.SetEquals(KnownDisagreements.Keys), output);
        Assert.All(disagreements, l => Assert.Contains(KnownDisagreements[l["DISAGREE ".Length..l.IndexOf(':')]], l));
    }

    private static (int Status, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            return (-1, "timed out");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
