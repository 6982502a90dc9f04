using System.Text;
using Conformance.Tests.PublicApi;
using Http2.Reference;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// RFC 9113 §5.1: the stream machine is a table; docs/stream-states.md shows
/// it beside the RFC's Figure 2 and must match the code.
/// </summary>
public class StreamTableTests
{
    private const string GoldenPath = "docs/stream-states.md";

    [Fact(DisplayName = "RFC 9113 §5.1: docs/stream-states.md is the stream table the code uses (UPDATE_GOLDEN=1 rewrites it)")]
    public void StreamTableGolden() => GoldenFile.Check(GoldenPath, Render(), nameof(StreamTableTests));

    [Fact(DisplayName = "RFC 9113 §5.1: the table has at most one cell per (direction, state, event, END_STREAM), and every absent pair is an error")]
    public void TableIsAFunction()
    {
        var keys = StreamMachine.Table.Select(r => (r.Direction, r.State, r.Event, r.EndStream && StreamMachine.CarriesEndStream(r.Event))).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        foreach (var d in Enum.GetValues<StreamDirection>())
            foreach (var s in StreamMachine.States)
                foreach (var e in Enum.GetValues<StreamEvent>())
                    foreach (var es in new[] { false, true })
                    {
                        var rule = StreamMachine.Rule(d, s, e, es);
                        if (!keys.Contains((d, s, e, es && StreamMachine.CarriesEndStream(e))))
                            Assert.True(rule.Effect is StreamEffect.StreamError or StreamEffect.ConnectionError, $"{d} {s.Name} {e}: absent but {rule.Effect}");
                        var t = d == StreamDirection.Receive ? StreamMachine.Receive(s, e, es, 3) : StreamMachine.Send(s, e, es, 3);
                        Assert.Equal(rule.Effect, t switch
                        {
                            StreamTransition.Moved => StreamEffect.Move,
                            StreamTransition.Ignored => StreamEffect.Ignore,
                            StreamTransition.Failed { Error: StreamError } => StreamEffect.StreamError,
                            _ => StreamEffect.ConnectionError,
                        });
                        if (t is StreamTransition.Moved m) Assert.Equal(rule.Next, m.Next);
                    }
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: after our RST_STREAM every late frame is discarded; after the peer's, DATA is STREAM_CLOSED")]
    public void ClosedCausesDiffer()
    {
        foreach (var e in Enum.GetValues<StreamEvent>())
            Assert.IsType<StreamTransition.Ignored>(StreamMachine.Receive(StreamState.ClosedByResetSent, e, false, 1));
        var f = Assert.IsType<StreamTransition.Failed>(StreamMachine.Receive(StreamState.ClosedByResetReceived, StreamEvent.Data, false, 1));
        Assert.Equal(ErrorCode.StreamClosed, Assert.IsType<StreamError>(f.Error).Code);
    }

    private static readonly (StreamEvent Event, bool EndStream, string Title)[] Columns =
    [
        (StreamEvent.Headers, false, "HEADERS"), (StreamEvent.Headers, true, "HEADERS +ES"),
        (StreamEvent.Data, false, "DATA"), (StreamEvent.Data, true, "DATA +ES"),
        (StreamEvent.Priority, false, "PRIORITY"), (StreamEvent.RstStream, false, "RST_STREAM"),
        (StreamEvent.WindowUpdate, false, "WINDOW_UPDATE"), (StreamEvent.PushPromise, false, "PUSH_PROMISE on it"),
        (StreamEvent.Reserve, false, "promised by a PUSH_PROMISE"),
    ];

    private static string StateName(StreamState s) => s switch
    {
        StreamState.Closed { Cause: CloseCause.EndStream } => "closed (END_STREAM both ways)",
        StreamState.Closed { Cause: CloseCause.ResetSent } => "closed (we sent RST_STREAM)",
        StreamState.Closed => "closed (the peer sent RST_STREAM)",
        _ => s.Name,
    };

    private static string Cell(StreamRule r, bool inTable)
    {
        var text = r.Effect switch
        {
            StreamEffect.Move when r.Next == r.State => "stays",
            StreamEffect.Move => "→ " + StateName(r.Next),
            StreamEffect.Ignore => "ignored",
            StreamEffect.StreamError when r.Direction == StreamDirection.Send => "refused " + r.Code.Name,
            StreamEffect.StreamError => "RST_STREAM " + r.Code.Name,
            _ => "GOAWAY " + r.Code.Name,
        };
        return inTable ? text : "*" + text + "*";
    }

    private static void Grid(StringBuilder sb, StreamDirection d)
    {
        var explicitCells = StreamMachine.Table.Where(r => r.Direction == d).Select(r => (r.State, r.Event, r.EndStream)).ToHashSet();
        sb.Append("| state | ").AppendJoin(" | ", Columns.Select(c => c.Title)).AppendLine(" |");
        sb.Append("| --- |").Append(string.Concat(Columns.Select(_ => " --- |"))).AppendLine();
        foreach (var s in StreamMachine.States)
        {
            sb.Append("| ").Append(StateName(s));
            foreach (var c in Columns)
                sb.Append(" | ").Append(Cell(StreamMachine.Rule(d, s, c.Event, c.EndStream), explicitCells.Contains((s, c.Event, c.EndStream))));
            sb.AppendLine(" |");
        }
    }

    private static void Reasons(StringBuilder sb, StreamDirection d)
    {
        foreach (var g in StreamMachine.Table.Where(r => r.Direction == d && r.Effect is StreamEffect.StreamError or StreamEffect.ConnectionError)
                     .GroupBy(r => (r.Effect, r.Code.Name, Reason: r.Reason)))
            sb.Append("- ").Append(g.Key.Reason).Append(" (").Append(g.Key.Effect == StreamEffect.ConnectionError ? "GOAWAY " : d == StreamDirection.Send ? "refused " : "RST_STREAM ")
              .Append(g.Key.Name).AppendLine(")");
    }

    /// <summary>The Markdown file: Figure 2, then the table both ways, from <see cref="StreamMachine"/>.</summary>
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!-- Generated from StreamMachine (Reference/Protocol/StreamState.cs) by Conformance/Tests/Protocol/StreamTableTests.cs;")
          .AppendLine("     do not edit: the test fails while this file differs from the code. Rewrite it with")
          .AppendLine("     UPDATE_GOLDEN=1 dotnet test Conformance/Tests -c Release --filter \"FullyQualifiedName~StreamTableTests\" -->")
          .AppendLine("# Stream states (RFC 9113 §5.1)")
          .AppendLine()
          .AppendLine("RFC 9113's Figure 2, then the table `StreamMachine` implements: for every state")
          .AppendLine("and every frame, received or sent, what happens. The code is the table")
          .AppendLine("(`StreamMachine.Table`, each row beside the RFC sentence it follows); this file")
          .AppendLine("is rendered from it by a test, so the two cannot drift apart.")
          .AppendLine()
          .AppendLine("```text")
          .Append(Figure2)
          .AppendLine("```")
          .AppendLine()
          .AppendLine("In the tables: \"→ s\" the frame moves the stream to s; \"stays\" it is allowed")
          .AppendLine("and the state does not change; \"ignored\" it is discarded without error (after")
          .AppendLine("the minimal processing of §5.1 \"closed\": header blocks are still decoded, DATA")
          .AppendLine("still counts against the connection window); \"RST_STREAM X\" a stream error")
          .AppendLine("(§5.4.2); \"GOAWAY X\" a connection error (§5.4.1); \"refused X\" a command the")
          .AppendLine("application gave is rejected (a \"MUST NOT send\" rule). *Italic* cells are")
          .AppendLine("absent from the table: received, \"In the absence of more specific rules,")
          .AppendLine("implementations SHOULD treat the receipt of a frame that is not expressly")
          .AppendLine("permitted in the description of a state as a connection error (Section 5.4.1)")
          .AppendLine("of type PROTOCOL_ERROR\"; sent, the command is refused with PROTOCOL_ERROR.")
          .AppendLine("+ES is the END_STREAM flag; \"promised by a PUSH_PROMISE\" is the stream a")
          .AppendLine("PUSH_PROMISE on another stream reserves. \"closed\" is split by how the stream")
          .AppendLine("got there, as the RFC's text for that state distinguishes it.")
          .AppendLine()
          .AppendLine("## Frames received")
          .AppendLine();
        Grid(sb, StreamDirection.Receive);
        sb.AppendLine().AppendLine("Errors with a specific reason:").AppendLine();
        Reasons(sb, StreamDirection.Receive);
        sb.AppendLine().AppendLine("## Frames sent (commands)").AppendLine();
        Grid(sb, StreamDirection.Send);
        sb.AppendLine().AppendLine("Refusals with a specific reason:").AppendLine();
        Reasons(sb, StreamDirection.Send);
        return sb.ToString();
    }

    // RFC 9113 §5.1, Figure 2, verbatim.
    private const string Figure2 = """
                                    +--------+
                            send PP |        | recv PP
                           ,--------+  idle  +--------.
                          /         |        |         \
                         v          +--------+          v
                  +----------+          |           +----------+
                  |          |          | send H /  |          |
           ,------+ reserved |          | recv H    | reserved +------.
           |      | (local)  |          |           | (remote) |      |
           |      +---+------+          v           +------+---+      |
           |          |             +--------+             |          |
           |          |     recv ES |        | send ES     |          |
           |   send H |     ,-------+  open  +-------.     | recv H   |
           |          |    /        |        |        \    |          |
           |          v   v         +---+----+         v   v          |
           |      +----------+          |           +----------+      |
           |      |   half-  |          |           |   half-  |      |
           |      |  closed  |          | send R /  |  closed  |      |
           |      | (remote) |          | recv R    | (local)  |      |
           |      +----+-----+          |           +-----+----+      |
           |           |                |                 |           |
           |           | send ES /      |       recv ES / |           |
           |           |  send R /      v        send R / |           |
           |           |  recv R    +--------+   recv R   |           |
           | send R /  `----------->|        |<-----------'  send R / |
           | recv R                 | closed |               recv R   |
           `----------------------->|        |<-----------------------'
                                    +--------+

                              Figure 2: Stream States

       send:  endpoint sends this frame
       recv:  endpoint receives this frame
       H:  HEADERS frame (with implied CONTINUATION frames)
       ES:  END_STREAM flag
       R:  RST_STREAM frame
       PP:  PUSH_PROMISE frame (with implied CONTINUATION frames); state
          transitions are for the promised stream

    """;
}
