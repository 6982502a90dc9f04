using System.Net;
using Microsoft.Extensions.Logging;
using Http2.Reference.Frames;

namespace Http2.Reference.Server;

/// <summary>The frame log (<see cref="ServerOptions.LogFrames"/>): one line per frame received or sent.</summary>
internal sealed class FrameLog(ILogger log, IPEndPoint? client)
{
    /// <summary>The frames in octets received (the connection preface named as such).</summary>
    public void Received(ReadOnlyMemory<byte> octets)
    {
        while (!octets.IsEmpty)
        {
            if (octets.Length >= CleartextPreface.Preface.Length && octets.Span[..CleartextPreface.Preface.Length].SequenceEqual(CleartextPreface.Preface))
            {
                log.LogInformation("{Client} recv connection preface", client);
                octets = octets[CleartextPreface.Preface.Length..];
                continue;
            }
            switch (FrameReader.Read(octets, FrameConstants.MaxMaxFrameSize))
            {
                case FrameRead r:
                    log.LogInformation("{Client} recv {Frame}", client, Describe(r.Frame));
                    octets = octets[r.Consumed..];
                    break;
                case ReadFailed f:
                    log.LogInformation("{Client} recv invalid frame: {Error}", client, f.Error);
                    return;
                default:
                    return;
            }
        }
    }

    /// <summary>A frame sent.</summary>
    public void Sent(Frame frame) => log.LogInformation("{Client} send {Frame}", client, Describe(frame));

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
