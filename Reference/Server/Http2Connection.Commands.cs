using System.Buffers;
using System.Runtime.InteropServices;
using LanguageExt;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;
internal sealed partial class Http2Connection
{
    private ResponseResult SendResponse(RequestHandler handler, ResponsePlan plan)
    {
        StreamContext ctx;
        if (!streams.TryGetValue(handler.StreamId, out var found) || found.Closed || closing)
        {
            plan.Body?.Discard();
            return ResponseResult.NotSent($"stream {handler.StreamId} is closed; the response cannot be sent");
        }
        ctx = found;
        var fields = ResponseFields(plan.Status, plan.Headers);
        // RFC 9110 §9.3.2, §15.3.5, §15.4.5: HEAD, 204 and 304 carry no content, so the body is not even opened
        // (the core applies the same rule to what it is given).
        var contentAllowed = HttpSemantics.ContentAllowed(handler.Method == "HEAD", plan.Status);
        BodyReader? reader = null;
        if (plan.Body is { } body)
        {
            if (!contentAllowed || body.Length == 0) body.Discard();
            else
            {
                try { reader = body.Open(); }
                catch (InvalidOperationException e) { return Invalid(ctx, e.Message); }
            }
        }
        var trailers = contentAllowed ? plan.Trailers : null;
        var endStream = reader is null && trailers is null;
        string? rejected = null;
        if (endStream && HeadersOnlyDeferred(ctx, fields)) { }
        else if (endStream || reader is null || !SmallBodyAtOnce(ctx, fields, reader, trailers, out rejected))
        {
            if (rejected is null)
            {
                var outputs = Step(new SendHeaders(handler.StreamId, fields, endStream) { Date = CurrentDate });
                for (var i = 0; i < outputs.Count; i++)
                {
                    if (outputs[i] is CommandRejected r) rejected = r.Reason;
                    else if (outputs[i] is ResponseAdjusted { Adjustment.Kind: AdjustmentKind.ContentOmitted }) endStream = true;
                }
            }
            if (rejected is not null)
            {
                reader?.Release();
                return Invalid(ctx, rejected);
            }
            if (!endStream)
            {
                ctx.Body = reader;
                ctx.Trailers = trailers;
                ctx.Production = ResponseProduction.Start(trailers is not null);
            }
            else reader?.Release();
        }
        ctx.InvalidResponse = null;
        ctx.AwaitingContinue = false; // a final response: no 100 any more (RFC 9110 §15.2.1)
        ctx.Status = plan.Status;
        if (ctx.Production is not null) Pump(ctx);
        Dispatch();
        return ResponseResult.Ok;
    }

    /// <summary>A response the core refused (malformed): reported and logged; the stream stays answerable.</summary>
    private ResponseResult Invalid(StreamContext ctx, string reason)
    {
        ctx.InvalidResponse = reason;
        log.LogWarning("{Client}: stream {Stream}: the response was not sent: {Reason}; the handler may send another", client, ctx.Handler.StreamId, reason);
        return ResponseResult.NotSent(reason);
    }

    /// <summary>An informational response (RFC 9110 §15.2): a 1xx header section, the stream stays open for the final one.</summary>
    private ResponseResult SendInformational(RequestHandler handler, int status, IReadOnlyList<HeaderField> headers)
    {
        if (!streams.TryGetValue(handler.StreamId, out var ctx) || ctx.Closed || closing || closeRequested)
            return ResponseResult.NotSent($"stream {handler.StreamId} is closed");
        var fields = new HeaderField[headers.Count + 1];
        fields[0] = StatusField(status);
        for (var i = 0; i < headers.Count; i++) fields[i + 1] = headers[i];
        var outputs = Step(new SendHeaders(handler.StreamId, fields, false));
        for (var i = 0; i < outputs.Count; i++)
            if (outputs[i] is CommandRejected r)
            {
                log.LogWarning("{Client}: stream {Stream}: the {Status} response was not sent: {Reason}", client, handler.StreamId, status, r.Reason);
                return ResponseResult.NotSent(r.Reason);
            }
        if (status == 100) ctx.AwaitingContinue = false;
        Dispatch();
        return ResponseResult.Ok;
    }

    /// <summary>
    /// The 100 (Continue) a request with <c>Expect: 100-continue</c> waits for
    /// (RFC 9110 §10.1.1), unless it is no longer due: the handler answered,
    /// sent its own 100, failed, or the body came anyway.
    /// </summary>
    private void SendContinue(StreamContext ctx)
    {
        if (!ctx.AwaitingContinue) return;
        ctx.AwaitingContinue = false;
        if (ctx.Closed || ctx.Failed || closing || closeRequested || ctx.Handler.ResponseSent) return;
        Step(new SendHeaders(ctx.Handler.StreamId, [StatusField(100)], false));
        Dispatch();
    }

    /// <summary>The <c>date</c> field of the current second (RFC 9110 §6.6.1), made once a second for all connections.</summary>
    private static Option<HeaderField> CurrentDate => CurrentStamp.Field;

    /// <summary>
    /// The <c>date</c> of a response given while the loop delivers a batch: the clock is read while
    /// no response waits in <see cref="deferredCommands"/>, and the responses joining them take the
    /// same date, since all go to the core in one call (RFC 9110 §6.6.1: the best available
    /// approximation of when the message was originated).
    /// </summary>
    private Option<HeaderField> DeferredDate => (deferredCommands.Count == 0 || deferredStamp is null ? deferredStamp = CurrentStamp : deferredStamp).Field;

    /// <summary>The date stamp of the batch in <see cref="deferredCommands"/> (<see cref="DeferredDate"/>).</summary>
    private DateStamp? deferredStamp;

    /// <summary>
    /// Gives the core the time of day when the second has changed since it was
    /// last given, so that the responses the core makes itself (431) carry a
    /// date like every other (RFC 9110 §6.6.1). Called before each read is fed.
    /// </summary>
    private void GiveDate()
    {
        var stamp = CurrentStamp;
        if (ReferenceEquals(stamp, dateGiven)) return;
        dateGiven = stamp;
        state = stamp.Field.Match(Some: date => Connection.Step(state, new SetDate(date), Now).State, None: () => state);
    }

    private DateStamp? dateGiven;

    private static DateStamp CurrentStamp
    {
        get
        {
            var second = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond;
            var stamp = Volatile.Read(ref dateStamp);
            if (stamp is null || stamp.Second != second)
            {
                stamp = new DateStamp(second, HttpSemantics.DateField(new DateTimeOffset(second * TimeSpan.TicksPerSecond, TimeSpan.Zero)));
                Volatile.Write(ref dateStamp, stamp);
            }
            return stamp;
        }
    }

    private sealed record DateStamp(long Second, Option<HeaderField> Field);

    private static DateStamp? dateStamp;

    /// <summary>The two commands of <see cref="SmallBodyAtOnce"/> when it steps the core at once, one array per connection.</summary>
    private readonly ConnectionCommand[] headersAndData = new ConnectionCommand[2];

    /// <summary>
    /// Small responses given by handlers while the loop delivers a batch of
    /// events, not yet given to the core: they go in one call of the core
    /// (<see cref="FlushDeferred"/>) when the batch's events are delivered, or
    /// before any other call of the core, so the core sees every command in the
    /// order the handlers gave them. One state transition per read batch
    /// instead of one per response.
    /// </summary>
    private List<ConnectionCommand> deferredCommands = new();
    private List<DeferredResponse> deferredResponses = new();
    private List<ConnectionCommand>? spareCommands = new();
    private List<DeferredResponse>? spareResponses = new();
    private List<(StreamContext Ctx, int Fed)> deferredFeeds = new();
    private List<(StreamContext Ctx, int Fed)>? spareFeeds = new();
    private readonly Dictionary<uint, int> acceptedInFlush = new();
    private int deferredOctets;

    /// <summary>A response of <see cref="deferredCommands"/>: its body and the chunk given with its header section.</summary>
    private readonly record struct DeferredResponse(StreamContext Ctx, BodyReader Body, ReadOnlyMemory<byte> Chunk, bool Last, int Accepted = 0);

    /// <summary>
    /// A small in-memory body goes out with its header section in one call of
    /// the core (HEADERS and DATA with END_STREAM) when
    /// <see cref="ResponseProduction.WithHeaders"/> says so: one state
    /// transition per response instead of two plus a pump, and, while the loop
    /// delivers a batch (a handler the loop called), one for all the batch's
    /// responses (<see cref="deferredCommands"/>) when the core will take the
    /// header section: the §8 checks the core makes of a final response
    /// (RFC 9113 §8.1.1, §8.3.2) pass on its fields here first, and a response
    /// they refuse is stepped at once, so the handler hears why. What the
    /// windows do not take now is left to the production. False (nothing done)
    /// when the response does not qualify.
    /// </summary>
    private bool SmallBodyAtOnce(StreamContext ctx, HeaderField[] fields, BodyReader body, IReadOnlyList<HeaderField>? trailers, out string? rejected)
    {
        rejected = null;
        var room = ResponseProduction.Room(output.Queued + deferredOctets, PumpLimit);
        var atOnce = ResponseProduction.WithHeaders(body.Remaining, body.InMemory, trailers is not null, room);
        var batched = ResponseProduction.BatchedWithHeaders(body.Remaining, body.InMemory, trailers is not null, room);
        if (!atOnce && batched is null) return false;
        var defer = batched is not null && MayDefer(fields, endStream: false);
        if (!defer && !atOnce) return false;
        var take = defer ? batched!.Value : ResponseProduction.SmallBody;
        var chunk = ReadOnlyMemory<byte>.Empty;
        var last = false;
        if (take > 0)
        {
            if (body.TakeDirect(take) is not { } taken) return false;
            chunk = taken;
            last = chunk.IsEmpty || body.Remaining == 0;
        }
        var id = ctx.Handler.StreamId;
        if (defer)
        {
            deferredCommands.Add(new SendHeaders(id, fields, false) { Date = DeferredDate });
            if (take > 0) deferredCommands.Add(new SendData(id, chunk, last)); // else the body waits for room in the output queue
            deferredResponses.Add(new DeferredResponse(ctx, body, chunk, last));
            deferredOctets += chunk.Length;
            return true;
        }
        FlushDeferred();
        headersAndData[0] = new SendHeaders(id, fields, false) { Date = CurrentDate };
        headersAndData[1] = new SendData(id, chunk, last);
        var r = Connection.StepAll(state, headersAndData, Now);
        headersAndData[0] = headersAndData[1] = null!; // the core kept nothing of the array; do not keep the commands either
        var accepted = 0;
        for (var i = 0; i < r.Outputs.Count; i++)
        {
            var o = r.Outputs[i];
            if (o is CommandRejected { Command: SendHeaders } no)
            {
                // Nothing was sent (the core rejects before emitting): keep the state as it was.
                rejected = no.Reason;
                return false;
            }
            if (o is DataAccepted a && a.StreamId == id) accepted = a.Accepted;
        }
        state = r.State;
        Apply(r.Outputs);
        Produce(ctx, body, chunk[accepted..], last);
        return true;
    }

    /// <summary>
    /// A final response without content (a 304, a HEAD's answer, an empty body) given while the
    /// loop delivers a batch joins the batch's responses (<see cref="deferredCommands"/>) as
    /// <see cref="SmallBodyAtOnce"/>'s do, when the §8 checks the core makes of it pass here first:
    /// one call of the core for the batch instead of one per response. False (nothing done) otherwise.
    /// </summary>
    private bool HeadersOnlyDeferred(StreamContext ctx, HeaderField[] fields)
    {
        if (!MayDefer(fields, endStream: true)) return false;
        deferredCommands.Add(new SendHeaders(ctx.Handler.StreamId, fields, true) { Date = DeferredDate });
        return true;
    }

    /// <summary>
    /// A final response may join the batch's deferred commands: the loop is delivering a batch,
    /// the connection is not closing, and the §8 checks the core will make of its header section
    /// pass here first (a refusal is then reported at once, not after the batch).
    /// </summary>
    private bool MayDefer(HeaderField[] fields, bool endStream) =>
        dispatching && !closeRequested && !closing && Final(fields, endStream);

    /// <summary>
    /// The §8 checks (RFC 9113 §8.1.1, §8.3.2) pass on a final response's header section. The
    /// verdict on the last section checked is kept with it: the checks are a function of the field
    /// objects (immutable values), and a route answering with fields made once is given the same
    /// section again (<see cref="ResponseFields"/>), which nothing writes into once made.
    /// </summary>
    private bool Final(HeaderField[] fields, bool endStream)
    {
        var bit = endStream ? 2 : 1;
        if (!ReferenceEquals(fields, checkedSection))
        {
            checkedSection = fields;
            sectionChecked = sectionFinal = 0;
        }
        else if ((sectionChecked & bit) != 0) return (sectionFinal & bit) != 0;
        var final = FieldValidation.CheckResponse(fields, endStream).TryRight(out var head, out _) && !head.IsInformational;
        sectionChecked |= bit;
        if (final) sectionFinal |= bit;
        return final;
    }

    /// <summary>
    /// The last header section <see cref="Final"/> checked, and what the checks said of it: one bit
    /// per way of sending it (1: with content to follow, 2: ending the stream) in
    /// <see cref="sectionChecked"/> when checked, in <see cref="sectionFinal"/> when a final
    /// response they pass.
    /// </summary>
    private HeaderField[]? checkedSection;
    private int sectionChecked, sectionFinal;

    /// <summary>After a body's first chunk went with its header section: done, or the production goes on with what the windows left.</summary>
    private void Produce(StreamContext ctx, BodyReader body, ReadOnlyMemory<byte> left, bool last)
    {
        var production = ResponseProduction.AfterHeaders(left, last);
        if (production is ResponseProduction.Done) body.Release();
        else
        {
            ctx.Body = body;
            ctx.Production = production;
        }
    }

    /// <summary>
    /// Gives the deferred responses to the core in one call, then goes on with
    /// each as <see cref="SmallBodyAtOnce"/> would have. A response the core
    /// still refuses (its stream was reset in the same batch, the connection
    /// ended) is dropped: the stream's close tells its handler.
    /// </summary>
    private void FlushDeferred()
    {
        if (deferredCommands.Count == 0) return;
        // Taken out whole: a handler called while these are finished (a close callback) may defer
        // and flush more; those go in lists of their own (new ones only when that happens).
        var (commands, responses, feeds) = (deferredCommands, deferredResponses, deferredFeeds);
        (deferredCommands, deferredResponses, deferredFeeds) = (spareCommands ?? new(), spareResponses ?? new(), spareFeeds ?? new());
        (spareCommands, spareResponses, spareFeeds) = (null, null, null);
        deferredOctets = 0;
        var r = Connection.StepAll(state, commands, Now);
        commands.Clear();
        state = r.State;
        acceptedInFlush.Clear();
        for (var i = 0; i < r.Outputs.Count; i++)
        {
            switch (r.Outputs[i])
            {
                case DataAccepted a:
                    acceptedInFlush[a.StreamId] = a.Accepted;
                    break;
                case CommandRejected { Command: SendHeaders h } no:
                    acceptedInFlush[h.StreamId] = -1;
                    log.LogDebug("{Client}: stream {Stream}: the response was dropped: {Reason}", client, h.StreamId, no.Reason);
                    break;
                case CommandRejected { Command: SendData d }:
                    acceptedInFlush[d.StreamId] = -1; // the stream ended meanwhile
                    break;
            }
        }
        var each = CollectionsMarshal.AsSpan(responses);
        for (var i = 0; i < each.Length; i++) each[i] = each[i] with { Accepted = acceptedInFlush.GetValueOrDefault(each[i].Ctx.Handler.StreamId) };
        Apply(r.Outputs);
        foreach (var d in each)
        {
            if (d.Accepted < 0) { d.Body.Release(); continue; }
            Produce(d.Ctx, d.Body, d.Chunk[d.Accepted..], d.Last);
            if (d.Ctx.Production is not null) Pump(d.Ctx);
        }
        foreach (var (ctx, fed) in CollectionsMarshal.AsSpan(feeds))
        {
            ctx.FeedDeferred = false;
            var taken = acceptedInFlush.TryGetValue(ctx.Handler.StreamId, out var a) ? a : fed;
            if (ctx.Production is { } production)
                ctx.Production = taken < 0 ? ResponseProduction.Done.Instance : ResponseProduction.On(production, new ProductionEvent.Accepted(fed, taken));
            Pump(ctx);
        }
        responses.Clear();
        feeds.Clear();
        (spareCommands, spareResponses, spareFeeds) = (commands, responses, feeds);
        // Streams that waited for room counted the deferred octets as queued; what the core did not frame is not, so
        // there may be room without a write to report it.
        WakeWaitingForOutput();
    }

    /// <summary>The connection ended with responses not given to the core: their bodies are released.</summary>
    private void DropDeferred()
    {
        foreach (var d in deferredResponses)
        {
            d.Body.Release();
        }
        deferredResponses.Clear();
        foreach (var (ctx, _) in deferredFeeds) ctx.FeedDeferred = false;
        deferredFeeds.Clear();
        deferredCommands.Clear();
        deferredOctets = 0;
    }

    private PushResult Push(RequestHandler parent, PushPlan plan)
    {
        StreamContext childCtx;
        var refusal =
            !options.EnablePush ? "push is disabled in the server options"
            : closing || closeRequested ? "the connection is closing"
            : !streams.TryGetValue(parent.StreamId, out var p) || p.Closed ? $"stream {parent.StreamId} is closed"
            : null;
        if (refusal is not null) return Refused(plan, refusal);
        var fields = new List<HeaderField>(4 + plan.RequestHeaders.Count)
        {
            HeaderField.Of(":method", plan.Method),
            HeaderField.Of(":scheme", parent.Scheme.Length > 0 ? parent.Scheme : Scheme),
            HeaderField.Of(":authority", parent.Host),
            HeaderField.Of(":path", plan.Path),
        };
        fields.AddRange(plan.RequestHeaders);
        uint promised = 0;
        foreach (var o in Step(new PromisePush(parent.StreamId, fields)))
        {
            if (o is CommandRejected r) return Refused(plan, r.Reason);
            if (o is PushPromiseSent pp) promised = pp.PromisedStreamId;
        }
        if (promised == 0) return Refused(plan, "the core made no promise");
        childCtx = NewContext(promised, pushed: true);
        childCtx.Handler.SetRequest(fields);
        streams[promised] = childCtx;
        var child = childCtx.Handler;
        child.MarkResponded();
        var sent = SendResponse(child, plan.Response);
        if (!sent.Sent)
        {
            log.LogWarning("{Client}: the response pushed for {Path} on stream {Stream} is invalid ({Reason}); resetting the promised stream", client, plan.Path, child.StreamId, sent.Reason);
            ResetStream(childCtx, ErrorCode.InternalError);
            return PushResult.Refused($"the pushed response is invalid: {sent.Reason}; the promised stream {child.StreamId} was reset");
        }
        return PushResult.Done(child);
    }

    /// <summary>No push: the pushed body is released, the reason logged for whoever does not read the result.</summary>
    private PushResult Refused(PushPlan plan, string reason)
    {
        plan.Response.Body?.Discard();
        log.LogDebug("{Client}: no push of {Path}: {Reason}", client, plan.Path, reason);
        return PushResult.Refused($"cannot push {plan.Path}: {reason}");
    }

    private void ResetStream(StreamContext ctx, ErrorCode code)
    {
        if (closing || closeRequested || ctx.Closed) return;
        Step(new SendReset(ctx.Handler.StreamId, code));
        Dispatch();
    }

    private void Resume(RequestHandler handler)
    {
        var ctx = Find(handler.StreamId);
        if (ctx is null) return;
        Pump(ctx, ProductionEvent.Resumed.Instance);
    }
}
