using System.Net;
using System.Runtime.CompilerServices;
using Http2.Reference.Hpack;

namespace Http2.Reference.Server;

/// <summary>
/// Handles one stream: the seed's <c>BaseRequestHandler</c>. The server makes
/// one (through the factory it was given) when a request's HEADERS begins,
/// so <see cref="OnClose"/> can come without <see cref="OnHeaders"/> (a
/// malformed request is closed with PROTOCOL_ERROR before it is delivered).
/// </summary>
/// <remarks>
/// <para>Callbacks of one stream never overlap and come in order: headers,
/// data chunks, request done, close. Each has a synchronous form (override
/// it for quick work: it runs on the connection's loop and must not block)
/// and an asynchronous form returning a <see cref="Task"/> (override it for
/// slow work: the connection and its other streams go on while it runs, and
/// the stream's next callback waits for it).</para>
/// <para>An exception from a callback resets the stream with INTERNAL_ERROR
/// and is followed by <see cref="OnClose"/>(INTERNAL_ERROR).</para>
/// <para><see cref="SendResponse(int, IEnumerable{ValueTuple{string, string}}?, ResponseBody?, IEnumerable{ValueTuple{string, string}}?)"/>,
/// <see cref="SendInformational"/>, <see cref="Push"/> and <see cref="Resume"/> may be called from any thread
/// or task, at any time before the stream closes: what they queue is sent
/// at once (the original only flushed inside callbacks, a DEFECT).</para>
/// </remarks>
public abstract class RequestHandler
{
    private IStreamHost? host;
    private int responded;
    private CancellationTokenSource? abort;
    private bool aborted;

    /// <summary>The client's address and port.</summary>
    public IPEndPoint? ClientAddress => host?.Client; // the connection's: not kept per request

    /// <summary>The stream's identifier (odd for requests, even for pushed streams).</summary>
    public uint StreamId { get; private set; }

    /// <summary>The <c>:scheme</c> pseudo-header.</summary>
    public string Scheme => Rare().Scheme ??= Field(":scheme") is not { } s ? "" : s.Value.Span.SequenceEqual("https"u8) ? "https" : s.Value.ToUtf8();

    /// <summary>The <c>:method</c> pseudo-header.</summary>
    public string Method { get; private set; } = "";

    /// <summary>The <c>:authority</c> pseudo-header, else the <c>host</c> field (RFC 9113 §8.3.1).</summary>
    public string Host => Rare().Host ??= (Field(":authority") ?? Field("host")) is { } h && !h.Value.IsEmpty ? h.Value.ToUtf8() : "";

    // Scheme and Host are found and decoded on first use, and kept apart with the trailers: most handlers never read them, most requests have none.
    private RareParts? rare;

    /// <summary>The rare parts, made once even when the handler's task and the connection ask at the same time.</summary>
    private RareParts Rare()
    {
        if (Volatile.Read(ref rare) is { } made) return made;
        var fresh = new RareParts();
        return Interlocked.CompareExchange(ref rare, fresh, null) ?? fresh;
    }

    private sealed class RareParts
    {
        public string? Scheme, Host;
        public IReadOnlyList<HeaderField>? Trailers;
    }

    /// <summary>The <c>:path</c> pseudo-header.</summary>
    public string Path { get; private set; } = "";

    /// <summary>
    /// All request fields as octets in wire order, pseudo-headers included;
    /// several <c>cookie</c> fields are joined with "; " into the first one's
    /// place (RFC 9113 §8.2.3). Empty until the headers arrive.
    /// </summary>
    public IReadOnlyList<HeaderField> Headers { get; private set; } = [];

    /// <summary>
    /// The request's trailer fields (RFC 9113 §8.1), in wire order; empty
    /// when the request had none. Set before <see cref="OnRequestDone"/>.
    /// </summary>
    public IReadOnlyList<HeaderField> Trailers => rare?.Trailers ?? [];

    /// <summary>The value of the first trailer field named <paramref name="name"/> (any case), or null.</summary>
    public string? Trailer(string name) => Find(Trailers, name);

    /// <summary>True for the handler of a pushed stream (made by <see cref="Push"/>).</summary>
    public bool Pushed { get; private set; }

    /// <summary>
    /// Cancelled when the stream ends abnormally: reset by the client, by the
    /// server after a failure, or lost with its connection. Pass it to slow
    /// work so work for a reset stream stops (rapid reset, CVE-2023-44487).
    /// </summary>
    public CancellationToken Aborted
    {
        get
        {
            if (abort is null)
            {
                var fresh = new CancellationTokenSource();
                if (Interlocked.CompareExchange(ref abort, fresh, null) is not null) fresh.Dispose();
                else if (Volatile.Read(ref aborted)) fresh.Cancel();
            }
            return abort!.Token;
        }
    }

    /// <summary>True once a response was submitted.</summary>
    public bool ResponseSent => Volatile.Read(ref responded) != 0;

    /// <summary>The value of the first field named <paramref name="name"/> (any case: names are lower case on the wire), or null.</summary>
    public string? Header(string name) => Find(Headers, name);

    private static string? Find(IReadOnlyList<HeaderField> fields, string name) =>
        FindField(fields, name) is { } f ? f.Value.ToUtf8() : null;

    /// <summary>
    /// The first field named <paramref name="name"/> (compared as lower-case ASCII: names are lower
    /// case on the wire, RFC 9113 §8.2.1), or null. Nothing is allocated for the look-up.
    /// </summary>
    internal static HeaderField? FindField(IReadOnlyList<HeaderField> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (NameIs(f.Name.Span, name)) return f;
        }
        return null;
    }

    /// <summary>The first request field named <paramref name="name"/> (any case), or null; its octets, without a string.</summary>
    internal HeaderField? Field(string name) => FindField(Headers, name);

    /// <summary>True when <paramref name="octets"/> are <paramref name="name"/> lower-cased (ASCII letters; a name with other than printable ASCII names no field).</summary>
    private static bool NameIs(ReadOnlySpan<byte> octets, string name)
    {
        if (octets.Length != name.Length) return false;
        for (var i = 0; i < octets.Length; i++)
        {
            var c = name[i];
            if (c is >= 'A' and <= 'Z') c = (char)(c | 0x20);
            else if (c > 0x7e) return false; // never in a received name (RFC 9113 §8.2.1)
            if (octets[i] != c) return false;
        }
        return true;
    }

    /// <summary>The request's header block arrived (the fields are in <see cref="Headers"/>).</summary>
    protected virtual void OnHeaders() { }

    /// <summary>Asynchronous form of <see cref="OnHeaders"/>; by default calls it.</summary>
    protected virtual Task OnHeadersAsync() { OnHeaders(); return Task.CompletedTask; }

    /// <summary>
    /// A chunk of the request body. The memory is only valid during the call
    /// (copy what you keep); the client's flow-control window is reopened for
    /// it when the call (or its task) completes, so a slow handler slows the upload.
    /// </summary>
    protected virtual void OnData(ReadOnlyMemory<byte> chunk) { }

    /// <summary>Asynchronous form of <see cref="OnData"/>; by default calls it. The chunk is valid until the first await.</summary>
    protected virtual Task OnDataAsync(ReadOnlyMemory<byte> chunk) { OnData(chunk); return Task.CompletedTask; }

    /// <summary>The whole request was received (END_STREAM, also when the request ended with trailers).</summary>
    protected virtual void OnRequestDone() { }

    /// <summary>Asynchronous form of <see cref="OnRequestDone"/>; by default calls it.</summary>
    protected virtual Task OnRequestDoneAsync() { OnRequestDone(); return Task.CompletedTask; }

    /// <summary>
    /// The stream closed: <paramref name="error"/> is NO_ERROR after a normal
    /// close, the client's RST_STREAM code, or INTERNAL_ERROR after a callback
    /// threw or when the connection was lost. Always the last callback.
    /// </summary>
    protected virtual void OnClose(ErrorCode error) { }

    /// <summary>
    /// Sends the response: <c>:status</c> first, then <paramref name="headers"/>,
    /// then the body streamed as the windows allow, then <paramref name="trailers"/>
    /// if any. Names may be given in any case (<c>Content-Type</c> is sent as
    /// <c>content-type</c>, RFC 9113 §8.2.1). The server applies RFC 9110 on
    /// the way (<see cref="Http2.Reference.Protocol.HttpSemantics.PrepareResponse"/>):
    /// a response to HEAD, a 204 and a 304 carry no content (the body is not
    /// sent; a content-length is kept for HEAD and 304); a <c>date</c> field is
    /// added; connection-specific fields are removed with a log line.
    /// </summary>
    /// <returns>
    /// Sent; or not, with the reason, when the response is invalid (a bad
    /// field name or value, RFC 9113 §8.2.1) — the stream can then still be
    /// answered (send a 500), and is reset with INTERNAL_ERROR if the callback
    /// that tried returns without a response — or when the stream is already
    /// closed (reset by the client).
    /// </returns>
    /// <exception cref="InvalidOperationException">A response was already sent ("response has already been sent").</exception>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a three-digit code. A 1xx is sent as <see cref="SendInformational"/> does (its body dropped: RFC 9110 §15.2) and is not the final response.</exception>
    [OverloadResolutionPriority(1)] // null and [] for the fields mean this overload (the other takes octets)
    public ResponseResult SendResponse(int status = 200, IEnumerable<(string Name, string Value)>? headers = null, ResponseBody? body = null,
        IEnumerable<(string Name, string Value)>? trailers = null) =>
        SendResponse(status, Fields(headers), body, trailers is null ? null : Fields(trailers));

    /// <summary>Sends the response with fields given as octets (see the other overload).</summary>
    /// <returns>Sent, or why not (see the other overload).</returns>
    /// <exception cref="InvalidOperationException">A response was already sent.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a three-digit code.</exception>
    public ResponseResult SendResponse(int status, IReadOnlyList<HeaderField> headers, ResponseBody? body = null, IReadOnlyList<HeaderField>? trailers = null)
    {
        if (status is < 100 or > 999)
            throw new ArgumentOutOfRangeException(nameof(status), status, "a status is a three-digit code (RFC 9110 §15)");
        var h = host ?? throw new InvalidOperationException("the handler is not attached to a stream");
        if (status < 200)
        {
            // Informational (RFC 9110 §15.2): not the final response, and never with content.
            body?.Discard();
            if (Http2.Reference.Protocol.HttpSemantics.InformationalError(status) is { } why) return ResponseResult.NotSent(why);
            if (ResponseSent) return ResponseResult.NotSent("the final response was already sent: no 1xx may follow it (RFC 9113 §8.1)");
            return h.SendInformational(this, status, headers ?? []);
        }
        if (Interlocked.Exchange(ref responded, 1) != 0)
            throw new InvalidOperationException("response has already been sent");
        var result = h.SendResponse(this, new ResponsePlan(status, headers ?? [], body, trailers));
        if (!result.Sent) Volatile.Write(ref responded, 0); // not sent: the stream may still be answered
        return result;
    }

    /// <summary>
    /// Sends an informational (1xx) response before the final one (RFC 9110
    /// §15.2, RFC 9113 §8.1): 100 (Continue), 103 (Early Hints) with
    /// <c>link</c> fields, any 1xx but 101 (which HTTP/2 does not have,
    /// RFC 9113 §8.6). Any number may be sent, none after the final response.
    /// A request with <c>Expect: 100-continue</c> gets its 100 from the server
    /// (see <see cref="ServerOptions.ExpectContinue"/>) unless this sent one.
    /// </summary>
    /// <returns>Sent, or why not (not a 1xx, a final response was sent, an invalid field, the stream is closed).</returns>
    public ResponseResult SendInformational(int status, IEnumerable<(string Name, string Value)>? headers = null)
    {
        if (Http2.Reference.Protocol.HttpSemantics.InformationalError(status) is { } why) return ResponseResult.NotSent(why);
        if (ResponseSent) return ResponseResult.NotSent("the final response was already sent: no 1xx may follow it (RFC 9113 §8.1)");
        var h = host ?? throw new InvalidOperationException("the handler is not attached to a stream");
        return h.SendInformational(this, status, Fields(headers));
    }

    /// <summary>
    /// Pushes a resource (RFC 9113 §8.4): sends a PUSH_PROMISE on this stream
    /// with <c>:method, :scheme, :authority, :path</c> (scheme and authority of
    /// this request) and <paramref name="requestHeaders"/>, then the response
    /// on the promised stream. Call it before this stream's response body, so
    /// the promise precedes the DATA that refers to it (§8.4.1).
    /// </summary>
    /// <returns>
    /// The pushed stream's handler (<see cref="PushResult.Pushed"/>), or why
    /// there was no push: the client disabled it (SETTINGS_ENABLE_PUSH = 0,
    /// as browsers, curl and HttpClient do), this stream finished its
    /// response or is itself pushed, the connection is going away, push is
    /// off in the server options, or the pushed response is invalid. Nothing
    /// is reset then: the handler goes on with its own response.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a final three-digit code.</exception>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public PushResult Push(string path, string method = "GET", IEnumerable<(string Name, string Value)>? requestHeaders = null,
        int status = 200, IEnumerable<(string Name, string Value)>? headers = null, ResponseBody? body = null)
    {
        if (status is < 200 or > 999)
            throw new ArgumentOutOfRangeException(nameof(status), status, "a pushed response has a final three-digit status (RFC 9110 §15)");
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("a pushed request needs a path", nameof(path));
        var h = host ?? throw new InvalidOperationException("the handler is not attached to a stream");
        if (Pushed) return PushResult.Refused("cannot push from a pushed stream (RFC 9113 §8.4: PUSH_PROMISE is sent on a client-initiated stream)");
        return h.Push(this, new PushPlan(path, method, Fields(requestHeaders), new ResponsePlan(status, Fields(headers), body, null)));
    }

    /// <summary>Tells the server that a <see cref="PullBody"/> that returned NotYet has octets again.</summary>
    public void Resume() => host?.Resume(this);

    /// <summary>Resets the stream with <paramref name="error"/> (RST_STREAM, RFC 9113 §6.4).</summary>
    public void Reset(ErrorCode error) => host?.Reset(this, error);

    /// <summary>Text fields as octets, names lower-cased (RFC 9113 §8.2.1; .NET habit writes <c>Content-Type</c>).</summary>
    private static IReadOnlyList<HeaderField> Fields(IEnumerable<(string Name, string Value)>? fields) =>
        fields is null ? [] : fields.Select(f => HeaderField.Of(LowerAscii(f.Name), f.Value)).ToArray();

    private static string LowerAscii(string name) => name.AsSpan().IndexOfAnyInRange('A', 'Z') < 0 ? name : name.ToLowerInvariant();

    // ---- called by the connection ----

    internal void Attach(IStreamHost streamHost, uint streamId, bool pushed)
    {
        host = streamHost;
        StreamId = streamId;
        Pushed = pushed;
    }

    /// <summary>Takes the request's fields; <paramref name="recentPath"/> is a recent request's <see cref="Path"/>, shared when this one asks for the same.</summary>
    internal void SetRequest(IReadOnlyList<HeaderField> fields, string? recentPath = null)
    {
        Headers = fields;
        if (rare is not null) rare.Scheme = rare.Host = null;
        var conditional = false;
        foreach (var f in ReadOnlyLists.Span(fields))
        {
            var n = f.Name.Span;
            if (n.IsEmpty) continue;
            if (n[0] == (byte)':')
            {
                if (n.SequenceEqual(":method"u8)) Method = MethodName(f.Value);
                else if (n.SequenceEqual(":path"u8))
                    Path = recentPath is not null && System.Text.Ascii.Equals(f.Value.Span, recentPath) ? recentPath : f.Value.ToUtf8();
            }
            else if (!conditional && (n.StartsWith("if-"u8) || n.SequenceEqual("range"u8))) conditional = true;
        }
        MayBeConditional = conditional;
    }

    /// <summary>
    /// True when the request has a field the preconditions (RFC 9110 §13.1) or ranges (§14.2)
    /// read: any field named <c>if-</c>something, or <c>range</c>. False means neither applies,
    /// so a server can answer without looking for them (names are lower case on the wire,
    /// RFC 9113 §8.2.1). Set with the request's fields.
    /// </summary>
    internal bool MayBeConditional { get; private set; }

    /// <summary>The method as text; the common ones without a new string per request.</summary>
    private static string MethodName(Bytes octets) => octets.Span switch
    {
        var m when m.SequenceEqual("GET"u8) => "GET",
        var m when m.SequenceEqual("POST"u8) => "POST",
        var m when m.SequenceEqual("HEAD"u8) => "HEAD",
        _ => octets.ToUtf8(),
    };

    /// <summary>
    /// A <see cref="System.Diagnostics.Stopwatch"/> timestamp taken after the read that brought the
    /// request's header section (0: not known). State observed at or after it is state after the
    /// request arrived: a static file checked then is as fresh as one checked for this request alone.
    /// </summary>
    internal long ReceivedAt { get; set; }

    internal void SetTrailers(IReadOnlyList<HeaderField> fields) => Rare().Trailers = fields;

    internal void MarkResponded() => Interlocked.Exchange(ref responded, 1);

    internal Task InvokeHeaders() => OnHeadersAsync();
    internal Task InvokeData(ReadOnlyMemory<byte> chunk) => OnDataAsync(chunk);
    internal Task InvokeRequestDone() => OnRequestDoneAsync();
    internal void InvokeClose(ErrorCode error) => OnClose(error);

    internal void SignalAborted()
    {
        Volatile.Write(ref aborted, true);
        try { Volatile.Read(ref abort)?.Cancel(); }
        catch (AggregateException) { } // a callback registered on the token threw; the stream is gone anyway
    }
}

/// <summary>The outcome of <see cref="RequestHandler.SendResponse(int, IEnumerable{ValueTuple{string, string}}?, ResponseBody?, IEnumerable{ValueTuple{string, string}}?)"/> or <see cref="RequestHandler.SendInformational"/>.</summary>
public readonly record struct ResponseResult
{
    private ResponseResult(string? reason) => Reason = reason;

    /// <summary>The response was handed to the connection (it goes out as the windows allow).</summary>
    public bool Sent => Reason is null;

    /// <summary>Why it was not sent; null when it was.</summary>
    public string? Reason { get; }

    /// <summary>Sent.</summary>
    public static ResponseResult Ok => default;

    /// <summary>Not sent, for <paramref name="reason"/>.</summary>
    public static ResponseResult NotSent(string reason) => new(reason);

    /// <inheritdoc />
    public override string ToString() => Sent ? "sent" : "not sent: " + Reason;
}

/// <summary>The outcome of <see cref="RequestHandler.Push"/>.</summary>
public readonly record struct PushResult
{
    private PushResult(RequestHandler? handler, string? reason) => (Handler, Reason) = (handler, reason);

    /// <summary>The promise was sent: <see cref="Handler"/> is the pushed stream's handler.</summary>
    public bool Pushed => Handler is not null;

    /// <summary>The pushed stream's handler (<see cref="RequestHandler.Pushed"/> is true), or null.</summary>
    public RequestHandler? Handler { get; }

    /// <summary>Why nothing was pushed; null when it was.</summary>
    public string? Reason { get; }

    /// <summary>Pushed on <paramref name="handler"/>'s stream.</summary>
    public static PushResult Done(RequestHandler handler) => new(handler, null);

    /// <summary>Not pushed, for <paramref name="reason"/>.</summary>
    public static PushResult Refused(string reason) => new(null, reason);

    /// <inheritdoc />
    public override string ToString() => Pushed ? $"pushed on stream {Handler!.StreamId}" : "not pushed: " + Reason;
}

/// <summary>A response as submitted by a handler (a value: nothing is allocated to hand it to the connection).</summary>
internal readonly record struct ResponsePlan(int Status, IReadOnlyList<HeaderField> Headers, ResponseBody? Body, IReadOnlyList<HeaderField>? Trailers);

/// <summary>A push as submitted by a handler.</summary>
internal sealed record PushPlan(string Path, string Method, IReadOnlyList<HeaderField> RequestHeaders, ResponsePlan Response);

/// <summary>What a handler asks of its connection; implemented by the connection.</summary>
internal interface IStreamHost
{
    /// <summary>The client's address and port (the connection's).</summary>
    IPEndPoint? Client { get; }
    ResponseResult SendResponse(RequestHandler handler, ResponsePlan plan);
    ResponseResult SendInformational(RequestHandler handler, int status, IReadOnlyList<HeaderField> headers);
    PushResult Push(RequestHandler parent, PushPlan plan);
    void Resume(RequestHandler handler);
    void Reset(RequestHandler handler, ErrorCode error);
}
