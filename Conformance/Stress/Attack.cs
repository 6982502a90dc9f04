using System.Net;

namespace Conformance.Stress;

/// <summary>Everything an attack may use: where, which paths, how long, what to count into.</summary>
/// <param name="Endpoint">The target's loopback address.</param>
/// <param name="Paths">The target's paths.</param>
/// <param name="Duration">How long the attack keeps sending.</param>
/// <param name="Tally">Where the server's reaction is counted.</param>
/// <param name="Seed">Seed for the attacks that draw random numbers (the fuzz burst).</param>
/// <param name="Token">Fires at the end of <paramref name="Duration"/>; every loop also checks it.</param>
public sealed record AttackContext(IPEndPoint Endpoint, Paths Paths, TimeSpan Duration, Tally Tally, int Seed, CancellationToken Token)
{
    /// <summary>The :authority the attacks send.</summary>
    public string Authority => Endpoint.ToString();

    /// <summary>True once the attack's time is up.</summary>
    public bool Done => Token.IsCancellationRequested;

    /// <summary>Opens a connection, sends the preface and SETTINGS (§3.4), and starts reading
    /// unless <paramref name="read"/> is false (then a small receive buffer makes the
    /// server's writes back up quickly).</summary>
    public async Task<RawConnection?> OpenAsync(bool read = true, params (ushort Id, uint Value)[] settings)
    {
        try
        {
            var c = await RawConnection.ConnectAsync(Endpoint, Tally, TimeSpan.FromSeconds(2), read ? 0 : 4096);
            if (read) c.StartReading();
            await c.SendAsync(new FrameBatch().Start(settings), Token);
            return c;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            Tally.Add("note connect failed");
            return null;
        }
    }
}

/// <summary>One attack class (a known HTTP/2 denial of service, RFC 9113 §10.5).</summary>
/// <param name="Name">Short kebab-case name (the table, the JSON, the known-failures list).</param>
/// <param name="Cves">The advisories it reproduces.</param>
/// <param name="What">What it sends, in one line.</param>
/// <param name="Run">Sends until the context's token fires (or a count bound is hit).</param>
public sealed record Attack(string Name, string Cves, string What, Func<AttackContext, Task> Run);
