namespace Http2.Reference.Protocol;

/// <summary>
/// The shape of a token bucket (nghttp2's rate limits): up to
/// <paramref name="Burst"/> events at once, then <paramref name="RefillPerSecond"/>
/// events per second on average.
/// </summary>
/// <param name="Burst">Capacity: events allowed back to back.</param>
/// <param name="RefillPerSecond">Tokens added per second of time (time is an input).</param>
public sealed record RateLimit(int Burst, double RefillPerSecond);

/// <summary>
/// A token bucket as a value: the tokens left and when they were counted.
/// Refilling is a function of the time passed in, so the bucket is pure and
/// a test can drive it with any clock.
/// </summary>
/// <param name="Tokens">Tokens available at <paramref name="At"/>.</param>
/// <param name="At">The time the tokens were counted (monotonic, arbitrary epoch).</param>
internal readonly record struct TokenBucket(double Tokens, TimeSpan At)
{
    /// <summary>A full bucket at time <paramref name="now"/>.</summary>
    public static TokenBucket Full(RateLimit limit, TimeSpan now) => new(limit.Burst, now);

    /// <summary>
    /// Takes one token after refilling for the time since <see cref="At"/>
    /// (time never runs backwards here: an earlier <paramref name="now"/>
    /// refills nothing). Returns whether a token was available and the new bucket.
    /// </summary>
    public (bool Allowed, TokenBucket Bucket) Take(RateLimit limit, TimeSpan now)
    {
        var elapsed = now > At ? (now - At).TotalSeconds : 0.0;
        var tokens = Math.Min(limit.Burst, Tokens + elapsed * limit.RefillPerSecond);
        var at = now > At ? now : At;
        return tokens >= 1.0 ? (true, new TokenBucket(tokens - 1.0, at)) : (false, new TokenBucket(tokens, at));
    }
}
