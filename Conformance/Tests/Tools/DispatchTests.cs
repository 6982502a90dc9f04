using Tools;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>h2ref finds its subcommands by reflection (Program.cs): ours must be found and constructible.</summary>
public class DispatchTests
{
    [Fact(DisplayName = "h2ref: the hpack and frames commands are ICommands with a parameterless constructor, named and summarised")]
    public void CommandsAreDiscoverable()
    {
        var commands = typeof(ICommand).Assembly.GetTypes()
            .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name);
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
