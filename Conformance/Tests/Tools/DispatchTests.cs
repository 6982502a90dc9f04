using Tools;
using Tools.Cli;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>h2ref dispatches to the subcommands of its explicit list (Cli/CommandList.cs): every ICommand must be in it.</summary>
public class DispatchTests
{
    [Fact(DisplayName = "h2ref: every ICommand of the tool is in its command list, once, named and summarised")]
    public void CommandsAreListed()
    {
        var declared = typeof(ICommand).Assembly.GetTypes()
            .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        var listed = CommandList.All();
        Assert.Equal(declared, listed.Select(c => c.GetType()).OrderBy(t => t.FullName, StringComparer.Ordinal));
        var commands = listed.ToDictionary(c => c.Name);
        Assert.Equal(listed.Select(c => c.Name).Order(StringComparer.Ordinal), listed.Select(c => c.Name));
        Assert.Contains("serve", commands.Keys);
        Assert.Contains("hpack", commands.Keys);
        Assert.Contains("frames", commands.Keys);
        Assert.All(new[] { commands["hpack"], commands["frames"] }, c => Assert.False(string.IsNullOrWhiteSpace(c.Summary)));
    }

    [Fact(DisplayName = "h2ref hpack / frames without a verb print usage with examples on stderr and exit 2")]
    public void NoVerb()
    {
        var hpack = ToolHarness.HpackCli();
        Assert.Equal(2, hpack.Status);
        Assert.Contains("examples:", hpack.Err);
        var frames = ToolHarness.FramesCli();
        Assert.Equal(2, frames.Status);
        Assert.Contains("examples:", frames.Err);
    }
}
