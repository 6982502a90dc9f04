using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Reference.Server;

/// <summary>
/// One line per response, in the original's format (BEHAVIOUR.md):
/// <c>127.0.0.1 - - [Wed, 25 Nov 2026 21:52:48 GMT] "GET /hello HTTP/2" 200 - -</c>.
/// </summary>
public static class AccessLog
{
    /// <summary>The logger category of access lines.</summary>
    public const string Category = "Reference.Server.Access";

    /// <summary>The access line for a response (the date in RFC 1123 form, as HTTP dates are).</summary>
    public static string Format(IPEndPoint? client, DateTimeOffset time, string method, string path, int status) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{client?.Address.ToString() ?? "-"} - - [{time.UtcDateTime:r}] \"{method} {path} HTTP/2\" {status} - -");

    private static readonly Action<ILogger, string, Exception?> Write =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(1, "Access"), "{Line}");

    /// <summary>Logs the line for a response.</summary>
    internal static void Log(ILogger logger, IPEndPoint? client, string method, string path, int status)
    {
        if (logger.IsEnabled(LogLevel.Information))
            Write(logger, Format(client, DateTimeOffset.UtcNow, method, path, status), null);
    }
}
