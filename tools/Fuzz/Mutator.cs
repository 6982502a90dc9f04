namespace Fuzz;

/// <summary>
/// A seeded in-process mutator (the classic byte-level moves of libFuzzer and
/// AFL): every input is a function of (seed, iteration) alone, so any break
/// is reproduced by its two numbers.
/// </summary>
public static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x3f, 0x40, 0x1f, 0x20, 0x0f, 0x10, 0xfe];

    /// <summary>The random source of one iteration of one target.</summary>
    public static Random For(int seed, string target, long iteration) =>
        new(HashCode.Combine(seed, StableHash(target), iteration));

    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s) h = unchecked(h * 31 + c);
        return h;
    }

    /// <summary>1 to 4 mutations of <paramref name="input"/>, splicing with <paramref name="other"/> sometimes; a new array.</summary>
    public static byte[] Mutate(Random rng, byte[] input, byte[] other)
    {
        var b = new List<byte>(input);
        var n = 1 + rng.Next(4);
        for (var i = 0; i < n; i++)
        {
            var at = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(10))
            {
                case 0 when b.Count > 0: b[at] ^= (byte)(1 << rng.Next(8)); break;                       // flip a bit
                case 1 when b.Count > 0: b[at] = (byte)rng.Next(256); break;                            // random octet
                case 2 when b.Count > 0: b[at] = Interesting[rng.Next(Interesting.Length)]; break;      // boundary value
                case 3: b.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => (byte)rng.Next(256))); break; // insert
                case 4 when b.Count > 0: b.RemoveRange(at, Math.Min(b.Count - at, 1 + rng.Next(16))); break;           // delete
                case 5 when b.Count > 0:                                                                   // duplicate a range
                    var len = Math.Min(b.Count - at, 1 + rng.Next(32));
                    b.InsertRange(rng.Next(b.Count + 1), b.GetRange(at, len));
                    break;
                case 6 when other.Length > 0:                                                             // splice
                    var from = rng.Next(other.Length);
                    b.InsertRange(at, other.Skip(from).Take(1 + rng.Next(64)));
                    break;
                case 7 when b.Count > 0: b.RemoveRange(at, b.Count - at); break;                          // truncate
                case 8 when b.Count > 3:                                                                   // add to a 16/24-bit field
                    var v = (b[at] << 8 | b[Math.Min(at + 1, b.Count - 1)]) + rng.Next(-3, 4);
                    b[at] = (byte)(v >> 8);
                    break;
                default: if (b.Count > 0) b[at] = (byte)(b[at] + rng.Next(-2, 3)); break;                // nudge
            }
        }
        return [.. b];
    }

    /// <summary>Random cut points (0 to 5) inside a buffer of <paramref name="length"/> octets, sorted.</summary>
    public static int[] Cuts(Random rng, int length) =>
        length < 2 ? [] : [.. Enumerable.Range(0, rng.Next(6)).Select(_ => 1 + rng.Next(length - 1)).Distinct().Order()];

    /// <summary>Chunk sizes for feeding a stream: mostly small, sometimes large.</summary>
    public static int[] Chunks(Random rng) =>
        [.. Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => rng.Next(3) == 0 ? 1 + rng.Next(4096) : 1 + rng.Next(24))];
}
