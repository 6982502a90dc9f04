using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref hpack encode|decode|explain|compare</c>: HPACK (RFC 7541) tools
/// that read and write the hpack-test-case story format.
/// </summary>
public sealed class HpackCommand(CliIO io) : ICommand
{
    /// <summary>Uses the process's console (how h2ref creates it).</summary>
    public HpackCommand() : this(CliIO.Process) { }

    /// <inheritdoc />
    public string Name => "hpack";

    /// <inheritdoc />
    public string Summary => "HPACK tools: encode, decode, explain a header block, compare with other encoders";

    private const string Help = """
        usage: h2ref hpack <verb> [options]      (h2ref hpack <verb> --help for details)

        verbs:
          encode    header lists -> hpack-test-case JSON with wires (like nghttp2's deflatehd)
          decode    hpack-test-case wires -> header lists (like nghttp2's inflatehd)
          explain   a header block, representation by representation, then the dynamic table
          compare   decode other encoders' story folders, report failures and compression ratios

        examples:
          h2ref hpack encode headers.txt > story.json
          h2ref hpack decode story.json
          h2ref hpack explain 828684410f7777772e6578616d706c652e636f6d
          h2ref hpack compare $HPACK_TEST_CASE_DIR/go-hpack $HPACK_TEST_CASE_DIR/nghttp2
        """;

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? io.Err : io.Out).WriteLine(Help);
            return Task.FromResult(args.Length == 0 ? 2 : 0);
        }
        Func<string[], CliIO, int>? verb = args[0] switch
        {
            "encode" => HpackEncode.Run,
            "decode" => HpackDecode.Run,
            "explain" => HpackExplain.Run,
            "compare" => HpackCompare.Run,
            _ => null,
        };
        if (verb is null)
        {
            io.Err.WriteLine($"h2ref hpack: unknown verb '{args[0]}' (h2ref hpack --help lists them)");
            return Task.FromResult(2);
        }
        return Task.FromResult(CommandRunner.Guard(io, $"hpack {args[0]}", () => verb(args[1..], io)));
    }
}
