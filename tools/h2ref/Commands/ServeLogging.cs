using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Tools.Commands;

/// <summary>
/// Console logging for <c>h2ref serve</c>: access lines exactly in the
/// original's format (no level or category prefix), other messages with a
/// short level tag (<c>[info]</c>, <c>[warn]</c>, <c>[fail]</c>...). A logged
/// exception is one line (its type and message); its stack only with -v.
/// Access lines and information go to standard output, warnings and errors to
/// standard error. Lines are queued (at most <see cref="QueueLength"/>; a
/// logger waits when the queue is full) and written by one background thread
/// in batches, so the server's threads never wait for the terminal.
/// Written for this server alone, without reflection, so it also runs in
/// the NativeAOT build (<c>tools/h2ref-server</c>).
/// </summary>
public sealed class ServeLog : ILoggerFactory
{
    /// <summary>Lines queued for the writer thread before loggers wait.</summary>
    public const int QueueLength = 2500;

    private readonly LogLevel minimum;
    private readonly bool stacks;
    private readonly Func<TextWriter> openOut;
    private readonly Func<TextWriter> openErr;
    private readonly Channel<(bool Error, string Line)> queue =
        Channel.CreateBounded<(bool, string)>(new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock start = new();
    private Thread? writer;

    private ServeLog(LogLevel minimum, bool stacks, Func<TextWriter> openOut, Func<TextWriter> openErr)
    {
        this.minimum = minimum;
        this.stacks = stacks;
        this.openOut = openOut;
        this.openErr = openErr;
    }

    /// <summary>
    /// The logger factory: Information and up (Debug, and exception stacks, with
    /// <paramref name="verbose"/>; Warning and up with <paramref name="quiet"/>,
    /// which silences the access log but never the warnings and errors).
    /// </summary>
    public static ServeLog Create(bool verbose, bool quiet) =>
        Create(verbose, quiet, () => Buffered(Console.OpenStandardOutput()), () => Buffered(Console.OpenStandardError()));

    /// <summary>As <see cref="Create(bool, bool)"/>, writing to the writers <paramref name="openOut"/> and <paramref name="openErr"/> give (opened at the first line).</summary>
    public static ServeLog Create(bool verbose, bool quiet, Func<TextWriter> openOut, Func<TextWriter> openErr) =>
        new(verbose ? LogLevel.Debug : quiet ? LogLevel.Warning : LogLevel.Information, verbose, openOut, openErr);

    private static StreamWriter Buffered(Stream stream) => new(stream, new System.Text.UTF8Encoding(false), 16384) { AutoFlush = false };

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName == Http2.Reference.Server.AccessLog.Category);

    /// <summary>Not supported: this factory writes to the console only.</summary>
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("h2ref serve logs to the console only");

    /// <summary>Writes the lines still queued (waiting at most 5 s), then stops the writer thread.</summary>
    public void Dispose()
    {
        queue.Writer.TryComplete();
        lock (start) writer?.Join(TimeSpan.FromSeconds(5));
    }

    private void Enqueue(bool error, string line)
    {
        if (writer is null)
            lock (start)
                writer ??= StartWriter();
        if (queue.Writer.TryWrite((error, line))) return;
        // Full: wait for the writer, as the console logger of Microsoft.Extensions.Logging does.
        while (queue.Writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
            if (queue.Writer.TryWrite((error, line))) return;
    }

    private Thread StartWriter()
    {
        var thread = new Thread(Drain) { IsBackground = true, Name = "h2ref log writer" };
        thread.Start();
        return thread;
    }

    private void Drain()
    {
        using var stdout = openOut();
        using var stderr = openErr();
        var reader = queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item)) (item.Error ? stderr : stdout).WriteLine(item.Line);
            stdout.Flush(); // what is queued is written in one go, then shown
            stderr.Flush();
        }
    }

    private sealed class Logger(ServeLog log, bool access) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= log.minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            var error = logLevel >= LogLevel.Warning;
            if (access)
            {
                log.Enqueue(error, message);
                return;
            }
            var level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            log.Enqueue(error,
                exception is null ? $"[{level}] {message}"
                : log.stacks ? $"[{level}] {message}\n{exception}"
                : $"[{level}] {message}: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
        }
    }
}
