using Tools.Commands;

namespace Tools.Cli;

/// <summary>
/// The subcommands of h2ref, listed by hand rather than found by reflection, so
/// that trimming and NativeAOT see every one of them (the test suite checks that
/// no <see cref="ICommand"/> of this assembly is missing here).
/// </summary>
public static class CommandList
{
    /// <summary>A new instance of every subcommand, ordered by name.</summary>
    public static ICommand[] All() => [new ConformanceCommand(), new FramesCommand(), new HpackCommand(), new ServeCommand()];
}
