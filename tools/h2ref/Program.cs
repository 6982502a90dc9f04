// h2ref: one program, one subcommand per tool. Each subcommand is a class
// implementing ICommand in its own file (Commands/); this file only dispatches.
// The list is explicit (Cli/CommandList.cs), not found by reflection.
using Tools.Cli;

var commands = CommandList.All();

if (args is ["--version" or "-V" or "version"])
{
    Console.WriteLine($"h2ref {Version()}");
    return 0;
}

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("h2ref: HTTP/2 and HPACK reference tools\n\nusage: h2ref <command> [options]   (h2ref <command> --help for details)\n       h2ref --version\n\ncommands:");
    foreach (var c in commands) Console.WriteLine($"  {c.Name,-14}{c.Summary}");
    return args.Length == 0 ? 2 : 0;
}

var command = commands.FirstOrDefault(c => c.Name == args[0]);
if (command is null)
{
    Console.Error.WriteLine($"h2ref: unknown command '{args[0]}' (h2ref --help lists them)");
    return 2;
}
try
{
    return await command.RunAsync(args[1..]);
}
catch (Exception e) when (Environment.GetEnvironmentVariable("H2REF_TRACE") is not "1")
{
    // A failure no command foresaw is still one line (a bug to report, not a trace to read);
    // H2REF_TRACE=1 lets it through with its stack.
    Console.Out.Flush();
    Console.Error.WriteLine($"h2ref {command.Name}: unexpected {e.GetType().Name}: {e.Message} (H2REF_TRACE=1 shows where)");
    return 1;
}

static string Version()
{
    var assembly = typeof(Tools.ICommand).Assembly;
    var informational = System.Reflection.CustomAttributeExtensions
        .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion;
    return informational ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
