// h2ref-server: `h2ref serve` as a NativeAOT binary (see h2ref-server.csproj).
// The arguments are those of `h2ref serve`; --version prints the version.
using Tools.Commands;

if (args is ["--version" or "-V"])
{
    Console.WriteLine("h2ref-server " + (typeof(ServeCommand).Assembly.GetName().Version?.ToString(3) ?? "unknown"));
    return 0;
}
try
{
    return await new ServeCommand().RunAsync(args);
}
catch (Exception e) when (Environment.GetEnvironmentVariable("H2REF_TRACE") is not "1")
{
    // As h2ref: a failure no command foresaw is one line, H2REF_TRACE=1 lets it through with its stack.
    Console.Out.Flush();
    Console.Error.WriteLine($"h2ref-server: unexpected {e.GetType().Name}: {e.Message} (H2REF_TRACE=1 shows where)");
    return 1;
}
