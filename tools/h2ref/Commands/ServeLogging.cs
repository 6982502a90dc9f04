using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Tools.Commands;

/// <summary>
/// Console logging for <c>h2ref serve</c>: access lines exactly in the
/// original's format (no level or category prefix), other messages with a
/// short level tag, all through Microsoft.Extensions.Logging. A logged
/// exception is one line (its type and message); its stack only with -v.
/// </summary>
public sealed class ServeConsoleFormatter(IOptionsMonitor<ServeConsoleFormatter.Settings> settings) : ConsoleFormatter(Name)
{
    /// <summary>The formatter's name in the console logger's options.</summary>
    public new const string Name = "h2ref";

    /// <summary>The formatter's settings.</summary>
    public sealed class Settings : ConsoleFormatterOptions
    {
        /// <summary>Print a logged exception's stack trace (with -v), not only its message.</summary>
        public bool Stacks { get; set; }
    }

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (entry.Category == Http2.Reference.Server.AccessLog.Category)
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
        if (entry.Exception is not { } e) writer.WriteLine($"[{level}] {message}");
        else if (settings.CurrentValue.Stacks) writer.WriteLine($"[{level}] {message}\n{e}");
        else writer.WriteLine($"[{level}] {message}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
    }

    /// <summary>
    /// The logger factory: this formatter, Information and up (Debug, and exception
    /// stacks, with <paramref name="verbose"/>; Warning and up with <paramref name="quiet"/>,
    /// which silences the access log but never the warnings and errors). Access lines and
    /// information go to standard output, warnings and errors to standard error.
    /// </summary>
    public static ILoggerFactory Create(bool verbose, bool quiet) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(verbose ? LogLevel.Debug : quiet ? LogLevel.Warning : LogLevel.Information)
            .AddConsole(o =>
            {
                o.FormatterName = Name;
                o.LogToStandardErrorThreshold = LogLevel.Warning;
            })
            .AddConsoleFormatter<ServeConsoleFormatter, Settings>(o => o.Stacks = verbose));
}
