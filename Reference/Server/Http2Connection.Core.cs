using LanguageExt;
using Microsoft.Extensions.Logging;
using Http2.Reference.Frames;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

internal sealed partial class Http2Connection
{
    /// <summary>The end of a write reached the loop.</summary>
    private sealed class Flushed(OutputWriter.Written written) : Message
    {
        public override void Handle(Http2Connection c) => c.OnWritten(written);
    }

    /// <summary>The core's first step: our preface (SETTINGS), or GOAWAY(INADEQUATE_SECURITY) at once (RFC 9113 §9.2).</summary>
    private void Begin(string? inadequateSecurity)
    {
        var start = Connection.Start(coreOptions, Now);
        state = start.State;
        Apply(start.Outputs);
        if (inadequateSecurity is null) return;
        log.LogInformation("{Client}: {Reason}", client, inadequateSecurity);
        Step(new SendGoAway(ErrorCode.InadequateSecurity, Bytes.FromUtf8(inadequateSecurity)));
    }

    private void OnTimer()
    {
        if (finished || closeRequested) return;
        timerDue = TimeSpan.MaxValue;
        Step(Tick.Instance);
        // A tick that came a little early expires nothing, and the core need not
        // repeat its request: re-arm from the state's deadline in every case.
        state.NextDeadline.IfSome(ArmTimer);
        Dispatch();
    }

    /// <summary>Makes the timer fire at <paramref name="at"/> unless it already fires earlier.</summary>
    private void ArmTimer(TimeSpan at)
    {
        if (at >= timerDue) return;
        timerDue = at;
        var due = at - Now;
        timer?.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A write ended: the core hears of it, and whoever waits for room in the output queue goes on.</summary>
    private void OnWritten(OutputWriter.Written written)
    {
        output.Completed(written);
        if (written.Error is { } error)
        {
            log.LogDebug("{Client}: write failed: {Error}", client, error.Message);
            drained?.TrySetResult();
            drained = null;
            Abort();
            return;
        }
        // The core counts the control frames it owes the peer until told they were written; with none counted there is nothing to tell.
        if (!closeRequested && !finished && state.QueuedControlFrames > 0) Step(MarkFlushed.Instance);
        if (drained is not null && output.Queued < QueueLimit)
        {
            drained.TrySetResult();
            drained = null;
        }
        WakeWaitingForOutput();
        Dispatch();
    }

    /// <summary>One step of the core with <paramref name="input"/>; returns its outputs (already applied).</summary>
    private IReadOnlyList<ConnectionEvent> Step(ConnectionCommand input)
    {
        FlushDeferred(); // the core sees commands in the order they were given
        var r = Connection.Step(state, input, Now);
        state = r.State;
        Apply(r.Outputs);
        return r.Outputs;
    }

    /// <summary>Acts on the core's outputs: frames into the output buffer, events queued, timer and close noted.</summary>
    private void Apply(IReadOnlyList<ConnectionEvent> outputs)
    {
        foreach (var o in ReadOnlyLists.Span(outputs))
        {
            switch (o)
            {
                case FrameReady { Frame: DataFrame { Padding.IsNone: true } d } when d.Data.Length >= ReferencedPayload && output.Gathers:
                    // The payload leaves from where it is, in the batch's gathering write: no copy into the buffer.
                    FrameWriter.WriteHeader((uint)d.Data.Length, FrameType.Data, d.EndStream ? (byte)FrameFlags.EndStream : (byte)0, d.StreamId, output.Pending);
                    if (!output.Pending.Reference(d.Data.Memory)) output.Pending.Write(d.Data.Span);
                    DataQueued(d);
                    frameLog?.Sent(d);
                    break;
                case FrameReady f:
                    FrameWriter.Write(f.Frame, output.Pending);
                    if (f.Frame is DataFrame data) DataQueued(data);
                    frameLog?.Sent(f.Frame);
                    break;
                case TimerRequested t:
                    ArmTimer(t.At);
                    break;
                case ConnectionEnded c:
                    closeRequested = true;
                    log.LogDebug("{Client}: closing ({Code}: {Reason})", client, c.Code, c.Reason);
                    break;
                case HeadersReceived or DataReceived or TrailersReceived or StreamClosed or StreamWritable:
                    events.Enqueue(o);
                    break;
                default:
                    LogNotice(o);
                    break; // answers read at the call site (DataAccepted, PushPromiseSent, CommandRejected) and notices
            }
        }
    }

    /// <summary>A DATA frame went into the output buffer (referenced or copied): a read buffer it ends goes back after the write; the access line counts its octets.</summary>
    private void DataQueued(DataFrame d)
    {
        if (loans is { Count: > 0 }) Returned(d.Data.Memory);
        if (options.AccessLog && streams.TryGetValue(d.StreamId, out var sending)) sending.SentOctets += d.Data.Length;
    }

    /// <summary>
    /// DATA payloads of at least this many octets are sent from where they are
    /// rather than copied into the output buffer (when the writer gathers):
    /// at 64 KiB responses the copy was an eighth of the server's CPU and the
    /// buffers it filled most of its memory under load. Every payload the
    /// server sends stays as it is until written: an in-memory body (bytes,
    /// text, segments, a cached file) must not change until it is sent (the
    /// handler API says so), and a body read from a stream, a pull source or a
    /// file is read into an array rented per read, which nothing writes until it
    /// goes back to the pool after the write of its last octet (<see cref="loans"/>).
    /// </summary>
    private const int ReferencedPayload = 4096;

    private void LogNotice(ConnectionEvent o)
    {
        switch (o)
        {
            case ErrorDetected e:
                log.LogDebug("{Client}: {Error}", client, e.Error);
                break;
            case ResponseAdjusted { Adjustment.Kind: AdjustmentKind.ContentOmitted } a:
                log.LogDebug("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                break;
            case ResponseAdjusted a:
                log.LogWarning("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                break;
            case GoAwayReceived g:
                log.LogDebug("{Client}: GOAWAY received ({Code}, last stream {Last})", client, g.Code, g.LastStreamId);
                break;
        }
    }
}
