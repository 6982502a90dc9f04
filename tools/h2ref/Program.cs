// h2ref: one program, one subcommand per tool. Each subcommand is a class
// implementing ICommand in its own file (Commands/); this file only dispatches.
using Tools;

var commands = typeof(ICommand).Assembly.GetTypes()
    .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (ICommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToArray();

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

namespace Tools
{
    /// <summary>A subcommand of h2ref.</summary>
    public interface ICommand
    {
        /// <summary>The word that selects it (<c>h2ref NAME ...</c>).</summary>
        string Name { get; }
        /// <summary>One line for <c>h2ref --help</c>.</summary>
        string Summary { get; }
        /// <summary>Runs it; the result is the process exit status.</summary>
        Task<int> RunAsync(string[] args);
    }
}
