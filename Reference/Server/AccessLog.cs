using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Http2.Reference.Server;

/// <summary>
/// One line per stream when it ends, in the original's format (BEHAVIOUR.md:
/// <c>127.0.0.1 - - [Wed, 25 Nov 2026 21:52:48 GMT] "GET /hello HTTP/2" 200 - -</c>)
/// with its two last fields filled in and how the stream ended after them:
/// <c>... "GET /hello HTTP/2" 200 1234 - done</c>. The fields after the request:
/// the status (<c>-</c> when none was sent), the response body octets sent in
/// DATA frames, <c>P</c> for a pushed stream (else <c>-</c>, as the original
/// marked pushes), and the outcome: <c>done</c>, <c>reset CODE</c> (RST_STREAM
/// sent or received, RFC 9113 §6.4), or <c>lost</c> (the connection ended first).
/// </summary>
internal static class AccessLog
{
    /// <summary>The logger category of access lines.</summary>
    public const string Category = "Http2.Reference.Server.Access";

    /// <summary>The outcome field: done (closed with NO_ERROR), reset CODE, or lost (null: the connection ended first).</summary>
    public static string Outcome(ErrorCode? code) => code switch
    {
        null => "lost",
        { } c when c == ErrorCode.NoError => "done",
        { } c => "reset " + c.Name,
    };

    /// <summary>The access line for a stream (the date in RFC 1123 form, as HTTP dates are).</summary>
    /// <param name="client">The client's address.</param>
    /// <param name="time">When the stream ended.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="path">The request's path.</param>
    /// <param name="status">The response's status; 0 when none was sent.</param>
    /// <param name="octets">Response body octets sent (DATA payload, padding excluded).</param>
    /// <param name="pushed">True for a pushed stream.</param>
    /// <param name="outcome">How the stream ended (<see cref="Outcome"/>).</param>
    public static string Format(IPEndPoint? client, DateTimeOffset time, string method, string path, int status, long octets, bool pushed, string outcome) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{client?.Address.ToString() ?? "-"} - - [{time.UtcDateTime:r}] \"{(method.Length == 0 ? "-" : method)} {(path.Length == 0 ? "-" : path)} HTTP/2\" {(status == 0 ? "-" : status.ToString(CultureInfo.InvariantCulture))} {octets} {(pushed ? "P" : "-")} {outcome}");

    private static readonly Action<ILogger, string, Exception?> Write =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(1, "Access"), "{Line}");

    /// <summary>Logs the line for a stream that ended (<paramref name="code"/> null: with its connection).</summary>
    internal static void Log(ILogger logger, IPEndPoint? client, RequestHandler handler, int status, long octets, ErrorCode? code)
    {
        if (logger.IsEnabled(LogLevel.Information))
            Write(logger, Format(client, DateTimeOffset.UtcNow, handler.Method, handler.Path, status, octets, handler.Pushed, Outcome(code)), null);
    }
}
