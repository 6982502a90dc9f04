using System.Buffers;
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
    /// <summary>One step of the core with <paramref name="input"/>; returns its outputs (already applied). Caller holds the gate.</summary>
    private IReadOnlyList<ConnectionOutput> StepLocked(ConnectionInput input)
    {
        var r = Connection.Step(state, input, Now);
        state = r.State;
        Apply(r.Outputs);
        return r.Outputs;
    }

    /// <summary>Acts on the core's outputs: frames into the output buffer, events queued, timer and close noted. Caller holds the gate.</summary>
    private void Apply(IReadOnlyList<ConnectionOutput> outputs)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            switch (output)
            {
                case SendFrame f:
                    FrameWriter.Write(f.Frame, pending);
                    if (f.Frame is DataFrame data && options.AccessLog && streams.TryGetValue(data.StreamId, out var sending))
                        sending.SentOctets += data.Data.Length; // for the access line
                    if (options.LogFrames) frameLog.LogInformation("{Client} send {Frame}", client, Describe(f.Frame));
                    break;
                case TimerRequest t:
                    ArmTimer(t.At);
                    break;
                case CloseConnection c:
                    closeRequested = true;
                    log.LogDebug("{Client}: closing ({Code}: {Reason})", client, c.Code, c.Reason);
                    break;
                case ErrorDetected e:
                    log.LogDebug("{Client}: {Error}", client, e.Error);
                    break;
                case HeadersReceived or DataReceived or TrailersReceived or StreamClosed or StreamWritable:
                    events.Enqueue(output);
                    break;
                case ResponseAdjusted a:
                    if (a.Adjustment.Kind == AdjustmentKind.ContentOmitted)
                        log.LogDebug("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                    else
                        log.LogWarning("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                    break;
                case GoAwayReceived g:
                    log.LogDebug("{Client}: GOAWAY received ({Code}, last stream {Last})", client, g.Code, g.LastStreamId);
                    break;
                default:
                    break; // answers read at the call site (DataAccepted, PushPromised, CommandRejected) and notices
            }
        }
    }
}
