using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Tools.Commands;

/// <summary>
/// Console logging for <c>h2ref serve</c>: access lines exactly in the
/// original's format (no level or category prefix), other messages with a
/// short level tag, all through Microsoft.Extensions.Logging.
/// </summary>
internal sealed class ServeConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "h2ref";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (entry.Category == Reference.Server.AccessLog.Category)
        {
            writer.WriteLine(message);
            return;
        }
        var level = entry.LogLevel switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
        writer.WriteLine($"[{level}] {message}");
        if (entry.Exception is not null) writer.WriteLine(entry.Exception);
    }

    /// <summary>The logger factory: console, this formatter, Information and up (Debug with <paramref name="verbose"/>).</summary>
    public static ILoggerFactory Create(bool verbose, bool quiet) =>
        quiet && !verbose
            ? NullLoggerFactory.Instance
            : LoggerFactory.Create(b => b
                .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information)
                .AddConsole(o => o.FormatterName = Name)
                .AddConsoleFormatter<ServeConsoleFormatter, ConsoleFormatterOptions>());
}
