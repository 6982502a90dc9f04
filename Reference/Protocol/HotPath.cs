using System.Diagnostics.CodeAnalysis;
using LanguageExt;

namespace Http2.Reference.Protocol;

/// <summary>
/// LanguageExt values read into plain C# ones where the core runs per frame:
/// each is one <c>Match</c> with static lambdas (cached delegates), so the
/// core reads a result without building a closure per request, then goes on
/// with ordinary nullables and <c>if</c>s. Everywhere else the core composes
/// with Map, Bind and Match.
/// </summary>
internal static class HotPath
{
    /// <summary>The value, or null when None.</summary>
    public static T? ToNullable<T>(this Option<T> option) where T : struct =>
        option.MatchUnsafe(static v => (T?)v, static () => null);

    /// <summary>The value, or null when None.</summary>
    public static T? OrNull<T>(this Option<T> option) where T : class =>
        option.MatchUnsafe(static v => v, static () => null);

    /// <summary>True with the right value, or false with the left one (the C# Try pattern).</summary>
    public static bool TryRight<TLeft, TRight>(this Either<TLeft, TRight> either, [MaybeNullWhen(false)] out TRight right, [MaybeNullWhen(true)] out TLeft left)
    {
        (var isRight, right, left) = either.MatchUnsafe(static r => (true, r, default(TLeft)!), static l => (false, default(TRight)!, l));
        return isRight;
    }
}
