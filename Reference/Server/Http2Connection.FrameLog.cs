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
    private void LogReceived(ReadOnlyMemory<byte> octets)
    {
        while (!octets.IsEmpty)
        {
            if (octets.Length >= CleartextPreface.Preface.Length && octets.Span[..CleartextPreface.Preface.Length].SequenceEqual(CleartextPreface.Preface))
            {
                frameLog.LogInformation("{Client} recv connection preface", client);
                octets = octets[CleartextPreface.Preface.Length..];
                continue;
            }
            switch (FrameReader.Read(octets, FrameConstants.MaxMaxFrameSize))
            {
                case FrameRead r:
                    frameLog.LogInformation("{Client} recv {Frame}", client, Describe(r.Frame));
                    octets = octets[r.Consumed..];
                    break;
                case ReadFailed f:
                    frameLog.LogInformation("{Client} recv invalid frame: {Error}", client, f.Error);
                    return;
                default:
                    return;
            }
        }
    }

    private static string Describe(Frame frame) => frame switch
    {
        DataFrame d => $"DATA stream={d.StreamId} length={d.Data.Length}{(d.EndStream ? " END_STREAM" : "")}",
        HeadersFrame h => $"HEADERS stream={h.StreamId} block={h.Fragment.Length}{(h.EndStream ? " END_STREAM" : "")}{(h.EndHeaders ? " END_HEADERS" : "")}",
        PushPromiseFrame p => $"PUSH_PROMISE stream={p.StreamId} promised={p.PromisedStreamId}",
        SettingsFrame s => s.Ack ? "SETTINGS ACK" : $"SETTINGS [{string.Join(", ", s.Settings.Select(x => $"{x.Id.Name}={x.Value}"))}]",
        WindowUpdateFrame w => $"WINDOW_UPDATE stream={w.StreamId} increment={w.Increment}",
        RstStreamFrame r => $"RST_STREAM stream={r.StreamId} {r.Error}",
        GoAwayFrame g => $"GOAWAY last={g.LastStreamId} {g.Error} \"{g.DebugData.ToUtf8()}\"",
        PingFrame p => $"PING{(p.Ack ? " ACK" : "")} {p.Opaque:x16}",
        _ => $"{frame.Type} stream={frame.StreamId}",
    };
}
