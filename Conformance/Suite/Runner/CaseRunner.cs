using System.Diagnostics;
using LanguageExt;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;

namespace Conformance.Suite.Runner;

/// <summary>Options of a run: the target, the per-step timeout, which implementation the target is (for known deviations).</summary>
public sealed record RunOptions(Target Target, TimeSpan Timeout, Option<string> Implementation = default, int Parallelism = 16)
{
    /// <summary>The client's profile: the SETTINGS of its preface (h2spec's by default).</summary>
    public Profile Profile { get; init; } = Profile.H2spec;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Interprets a case's script against a target. All the I/O of a case happens
/// here; the decisions are <see cref="Reaction.Judge"/>'s.
/// </summary>
public static class CaseRunner
{
    sealed class Run
    {
        public Run(Case c, RunOptions options)
        {
            Options = options;
            Session = new(options.Target, System.Collections.Immutable.ImmutableDictionary<SettingId, uint>.Empty);
            Timeout = c.Timeout.IfNone(options.Timeout);
        }

        public readonly RunOptions Options;
        public readonly List<Connection> Connections = [];
        public Connection Current = null!;
        public Session Session;
        public Option<long> Memory;
        public readonly List<string> Transcript = [];
        public readonly TimeSpan Timeout;
    }

    /// <summary>Runs one case; never throws for the server's behaviour.</summary>
    public static async Task<CaseResult> RunAsync(Case c, RunOptions options, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var known = c.KnownFor(options.Implementation);
        var run = new Run(c, options);
        CaseResult Result(Status s, string expected, string actual, int step) =>
            new(c, s, expected, actual, step, clock.Elapsed, known) { Transcript = run.Transcript.ToSeq().Strict() };

        try
        {
            run.Current = await Connect(run, options, ct);
            var index = 0;
            foreach (var step in c.Script)
            {
                index++;
                var outcome = await Perform(run, step, ct);
                if (outcome is { } o) return Result(o.Status, o.Expected, o.Actual, index);
            }
            return Result(Status.Pass, "", "", 0);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
        {
            return Result(Status.Error, "a connection to the target", e.GetBaseException().Message, 0);
        }
        finally
        {
            foreach (var conn in run.Connections) await conn.DisposeAsync();
        }
    }

    static async Task<Connection> Connect(Run run, RunOptions options, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(run.Timeout * 2);
        try
        {
            var conn = await Connection.OpenAsync(options.Target, cts.Token);
            run.Connections.Add(conn);
            return conn;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"connecting to {options.Target} timed out");
        }
    }

    sealed record Outcome(Status Status, string Expected, string Actual);

    static async Task<Outcome?> Perform(Run run, Step step, CancellationToken ct)
    {
        switch (step)
        {
            case Handshake h:
                return await DoHandshake(run, h, ct);
            case Send s:
                await run.Current.SendAsync(s.Octets(run.Session), ct);
                run.Transcript.Add($"→ {s.What}");
                return null;
            case Expect e:
                return await Await(run, e.Reaction, ct);
            case ExpectFrom e:
                return await Await(run, e.Reaction(run.Session), ct);
            case Pause p:
                await Task.Delay(p.Duration, ct);
                return null;
            case Reconnect:
                run.Current = await Connect(run, run.Options with { Target = run.Session.Target }, ct);
                run.Session = run.Session with { ConnectionEnded = false };
                run.Transcript.Add("→ (new connection)");
                return null;
            case SampleMemory:
                run.Memory = run.Session.Target.Pid.Bind(ResidentBytes);
                return null;
            case CheckMemory m:
                var now = run.Session.Target.Pid.Bind(ResidentBytes);
                if (run.Memory.IsSome && now.IsNone)
                    return new Outcome(Status.Fail, m.Description, "the server process is gone");
                foreach (var before in run.Memory)
                    foreach (var after in now)
                        if (after - before > m.MaxGrowthBytes)
                            return new Outcome(Status.Fail, m.Description, $"resident memory grew from {before >> 20} MiB to {after >> 20} MiB");
                return null;
            case SkipIf k:
                return k.Condition(run.Session) ? new Outcome(Status.Skipped, "", k.Reason) : null;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step");
        }
    }

    /// <summary>RFC 9113 §3.4 and §6.5.3: preface, our SETTINGS, their SETTINGS acknowledged, ours acknowledged.</summary>
    static async Task<Outcome?> DoHandshake(Run run, Handshake h, CancellationToken ct)
    {
        await run.Current.SendAsync([.. Wire.Preface, .. Wire.Encode(new SettingsFrame(false, run.Options.Profile.Settings + h.Settings))], ct);
        run.Transcript.Add("→ preface, SETTINGS");
        bool theirs = false, ours = false;
        var settings = System.Collections.Immutable.ImmutableDictionary<SettingId, uint>.Empty;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(run.Timeout);
        const string expected = "the server's SETTINGS and an acknowledgement of ours (RFC 9113 §3.4, §6.5.3)";
        try
        {
            while (!(theirs && ours))
            {
                var e = await run.Current.Events.ReadAsync(cts.Token);
                run.Transcript.Add($"← {e}");
                switch (e)
                {
                    case Received { Frame: SettingsFrame { Ack: false } s }:
                        settings = s.Settings.Fold(settings, (m, x) => m.SetItem(x.Id, x.Value));
                        await run.Current.SendAsync(Wire.Encode(SettingsFrame.Acknowledgement), ct);
                        theirs = true;
                        break;
                    case Received { Frame: SettingsFrame { Ack: true } }:
                        ours = true;
                        break;
                    case Closed or NotFrames or Received { Frame: GoAwayFrame }:
                        return new Outcome(Status.Fail, expected, $"during the handshake: {e}");
                }
            }
            run.Session = run.Session with { ServerSettings = settings };
            return null;
        }
        catch (Exception x) when (x is OperationCanceledException or System.Threading.Channels.ChannelClosedException && !ct.IsCancellationRequested)
        {
            return new Outcome(Status.Timeout, expected, $"no complete SETTINGS exchange within {run.Timeout.TotalSeconds:0.#} s{Seen(run)}");
        }
    }

    static async Task<Outcome?> Await(Run run, Reaction reaction, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(run.Timeout);
        var first = true;
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var e = await run.Current.Events.ReadAsync(cts.Token);
                if (e is Closed or Received { Frame: GoAwayFrame }) run.Session = run.Session with { ConnectionEnded = true };
                seen.Add(e.ToString()!);
                run.Transcript.Add($"← {e}");
                // octets that are not frames decide against every reaction, as they do in h2spec (its frame reader fails)
                if (e is NotFrames) return new Outcome(Status.Fail, reaction.Describe(), Summarise(seen));
                switch (reaction.Judge(e, first))
                {
                    case Verdict.Satisfied:
                        run.Transcript.Add($"  = satisfied: {reaction.Describe()}");
                        return null;
                    case Verdict.Violated:
                        return new Outcome(Status.Fail, reaction.Describe(), Summarise(seen));
                }
                first = false;
            }
        }
        catch (Exception x) when (x is OperationCanceledException or System.Threading.Channels.ChannelClosedException && !ct.IsCancellationRequested)
        {
            return new Outcome(Status.Timeout, reaction.Describe(),
                $"no decisive reaction within {run.Timeout.TotalSeconds:0.#} s" + (seen.Count == 0 ? " (nothing received)" : $"; received {Summarise(seen)}"));
        }
    }

    static string Summarise(List<string> seen) =>
        seen.Count <= 6 ? string.Join(", ", seen) : string.Join(", ", seen.Take(2)) + $", … ({seen.Count - 4} more), " + string.Join(", ", seen.TakeLast(2));

    static string Seen(Run run) => run.Transcript.Count > 1 ? $"; transcript: {string.Join(", ", run.Transcript.Skip(1).Take(6))}" : "";

    /// <summary>VmRSS of a local process (Linux /proc), in octets.</summary>
    static Option<long> ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? None : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { return None; }
        catch (UnauthorizedAccessException) { return None; }
    }

    static Option<long> None => Option<long>.None;
}
