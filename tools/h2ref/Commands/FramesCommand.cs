using Tools.Cli;

namespace Tools.Commands;

/// <summary><c>h2ref frames decode</c>: HTTP/2 frames (RFC 9113) from raw octets, as text.</summary>
public sealed class FramesCommand(CliIO io) : ICommand
{
    /// <summary>Uses the process's console (how h2ref creates it).</summary>
    public FramesCommand() : this(CliIO.Process) { }

    /// <inheritdoc />
    public string Name => "frames";

    /// <inheritdoc />
    public string Summary => "HTTP/2 frame tools: decode raw octets (hex or a capture file) like nghttp -v";

    private const string Help = """
        usage: h2ref frames <verb> [options]      (h2ref frames <verb> --help for details)

        verbs:
          decode    raw HTTP/2 octets (hex or a capture file) -> frames as text or JSON

        examples:
          h2ref frames decode 000000040000000000
          h2ref frames decode --file capture.bin
        """;

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? io.Err : io.Out).WriteLine(Help);
            return Task.FromResult(args.Length == 0 ? 2 : 0);
        }
        if (args[0] != "decode")
        {
            io.Err.WriteLine($"h2ref frames: unknown verb '{args[0]}' (h2ref frames --help lists them)");
            return Task.FromResult(2);
        }
        return Task.FromResult(CommandRunner.Guard(io, "frames decode", () => FramesDecode.Run(args[1..], io)));
    }
}
