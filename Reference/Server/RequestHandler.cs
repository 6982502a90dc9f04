using System.Net;
using System.Text;
using Reference.Hpack;

namespace Reference.Server;

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
/// <see cref="Push"/> and <see cref="Resume"/> may be called from any thread
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
    public IPEndPoint? ClientAddress { get; private set; }

    /// <summary>The stream's identifier (odd for requests, even for pushed streams).</summary>
    public uint StreamId { get; private set; }

    /// <summary>The <c>:scheme</c> pseudo-header.</summary>
    public string Scheme => schemeText ??= schemeOctets.IsEmpty ? "" : schemeOctets.Span.SequenceEqual("https"u8) ? "https" : schemeOctets.ToUtf8();

    /// <summary>The <c>:method</c> pseudo-header.</summary>
    public string Method { get; private set; } = "";

    /// <summary>The <c>:authority</c> pseudo-header, else the <c>host</c> field (RFC 9113 §8.3.1).</summary>
    public string Host => hostText ??= hostOctets.IsEmpty ? "" : hostOctets.ToUtf8();

    // Scheme and Host are decoded on first use: most handlers never read them.
    private Bytes schemeOctets, hostOctets;
    private string? schemeText, hostText;

    /// <summary>The <c>:path</c> pseudo-header.</summary>
    public string Path { get; private set; } = "";

    /// <summary>
    /// All request fields as octets in wire order, pseudo-headers included;
    /// several <c>cookie</c> fields are joined with "; " into the first one's
    /// place (RFC 9113 §8.2.3). Empty until the headers arrive.
    /// </summary>
    public IReadOnlyList<HeaderField> Headers { get; private set; } = [];

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

    /// <summary>The value of the first field named <paramref name="name"/> (lower case), or null.</summary>
    public string? Header(string name)
    {
        var key = Encoding.ASCII.GetBytes(name);
        foreach (var f in Headers)
            if (f.Name.Span.SequenceEqual(key)) return f.Value.ToUtf8();
        return null;
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
    /// Sends the response: <c>:status</c> first, then <paramref name="headers"/>
    /// as given (nothing is added), then the body streamed as the windows
    /// allow, then <paramref name="trailers"/> if any.
    /// </summary>
    /// <exception cref="InvalidOperationException">A response was already sent ("response has already been sent"), or the stream is closed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a three-digit code.</exception>
    public void SendResponse(int status = 200, IEnumerable<(string Name, string Value)>? headers = null, ResponseBody? body = null,
        IEnumerable<(string Name, string Value)>? trailers = null) =>
        SendResponse(status, Fields(headers), body, trailers is null ? null : Fields(trailers));

    /// <summary>Sends the response with fields given as octets (see the other overload).</summary>
    /// <exception cref="InvalidOperationException">A response was already sent, or the stream is closed.</exception>
    public void SendResponse(int status, IReadOnlyList<HeaderField> headers, ResponseBody? body = null, IReadOnlyList<HeaderField>? trailers = null)
    {
        if (status is < 100 or > 999)
            throw new ArgumentOutOfRangeException(nameof(status), status, "a status is a three-digit code (RFC 9110 §15)");
        var h = host ?? throw new InvalidOperationException("the handler is not attached to a stream");
        if (Interlocked.Exchange(ref responded, 1) != 0)
            throw new InvalidOperationException("response has already been sent");
        h.SendResponse(this, new ResponsePlan(status, headers, body, trailers));
    }

    /// <summary>
    /// Pushes a resource (RFC 9113 §8.4): sends a PUSH_PROMISE on this stream
    /// with <c>:method, :scheme, :authority, :path</c> (scheme and authority of
    /// this request) and <paramref name="requestHeaders"/>, then the response
    /// on the promised stream. Call it before this stream's response body, so
    /// the promise precedes the DATA that refers to it (§8.4.1).
    /// </summary>
    /// <returns>The handler of the pushed stream (<see cref="Pushed"/> is true).</returns>
    /// <exception cref="InvalidOperationException">
    /// The promise cannot be sent: the client disabled push (SETTINGS_ENABLE_PUSH = 0),
    /// this stream is finished or is itself pushed, or the connection is going away.
    /// </exception>
    public RequestHandler Push(string path, string method = "GET", IEnumerable<(string Name, string Value)>? requestHeaders = null,
        int status = 200, IEnumerable<(string Name, string Value)>? headers = null, ResponseBody? body = null)
    {
        if (status is < 100 or > 999)
            throw new ArgumentOutOfRangeException(nameof(status), status, "a status is a three-digit code (RFC 9110 §15)");
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("a pushed request needs a path", nameof(path));
        var h = host ?? throw new InvalidOperationException("the handler is not attached to a stream");
        if (Pushed) throw new InvalidOperationException("cannot push from a pushed stream (RFC 9113 §8.4: PUSH_PROMISE is sent on a client-initiated stream)");
        return h.Push(this, new PushPlan(path, method, Fields(requestHeaders), new ResponsePlan(status, Fields(headers), body, null)));
    }

    /// <summary>Tells the server that a <see cref="PullBody"/> that returned NotYet has octets again.</summary>
    public void Resume() => host?.Resume(this);

    /// <summary>Resets the stream with <paramref name="error"/> (RST_STREAM, RFC 9113 §6.4).</summary>
    public void Reset(ErrorCode error) => host?.Reset(this, error);

    private static IReadOnlyList<HeaderField> Fields(IEnumerable<(string Name, string Value)>? fields) =>
        fields is null ? [] : fields.Select(f => HeaderField.Of(f.Name, f.Value)).ToArray();

    // ---- called by the connection ----

    internal void Attach(IStreamHost streamHost, IPEndPoint? client, uint streamId, bool pushed)
    {
        host = streamHost;
        ClientAddress = client;
        StreamId = streamId;
        Pushed = pushed;
    }

    internal void SetRequest(IReadOnlyList<HeaderField> fields)
    {
        Headers = fields;
        Bytes? authority = null, hostField = null;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var n = f.Name.Span;
            if (n.SequenceEqual(":method"u8)) Method = MethodName(f.Value);
            else if (n.SequenceEqual(":path"u8)) Path = f.Value.ToUtf8();
            else if (n.SequenceEqual(":scheme"u8)) { schemeOctets = f.Value; schemeText = null; }
            else if (n.SequenceEqual(":authority"u8)) authority = f.Value;
            else if (hostField is null && n.SequenceEqual("host"u8)) hostField = f.Value;
        }
        hostOctets = authority ?? hostField ?? default;
        hostText = null;
    }

    /// <summary>The method as text; the common ones without a new string per request.</summary>
    private static string MethodName(Bytes octets) => octets.Span switch
    {
        var m when m.SequenceEqual("GET"u8) => "GET",
        var m when m.SequenceEqual("POST"u8) => "POST",
        var m when m.SequenceEqual("HEAD"u8) => "HEAD",
        _ => octets.ToUtf8(),
    };

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

/// <summary>A response as submitted by a handler.</summary>
internal sealed record ResponsePlan(int Status, IReadOnlyList<HeaderField> Headers, ResponseBody? Body, IReadOnlyList<HeaderField>? Trailers);

/// <summary>A push as submitted by a handler.</summary>
internal sealed record PushPlan(string Path, string Method, IReadOnlyList<HeaderField> RequestHeaders, ResponsePlan Response);

/// <summary>What a handler asks of its connection; implemented by the connection.</summary>
internal interface IStreamHost
{
    void SendResponse(RequestHandler handler, ResponsePlan plan);
    RequestHandler Push(RequestHandler parent, PushPlan plan);
    void Resume(RequestHandler handler);
    void Reset(RequestHandler handler, ErrorCode error);
}
