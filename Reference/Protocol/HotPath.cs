using System.Diagnostics.CodeAnalysis;
using LanguageExt;

namespace Http2.Reference.Protocol;

/// <summary>
/// LanguageExt values read into plain C# ones where the core runs per frame:
/// a state test and LanguageExt's own explicit conversion, so the core reads
/// a result without a delegate call or a closure per request (measured with
/// callgrind: about 90 instructions less per read than a Match with static
/// lambdas, four reads per request), then goes on with ordinary nullables
/// and <c>if</c>s. Everywhere else the core composes
/// with Map, Bind and Match.
/// </summary>
internal static class HotPath
{
    /// <summary>The value, or null when None.</summary>
    public static T? ToNullable<T>(this Option<T> option) where T : struct => option.IsSome ? (T)option : null;

    /// <summary>True with the right value, or false with the left one (the C# Try pattern).</summary>
    public static bool TryRight<TLeft, TRight>(this Either<TLeft, TRight> either, [MaybeNullWhen(false)] out TRight right, [MaybeNullWhen(true)] out TLeft left)
    {
        if (either.IsRight)
        {
            right = (TRight)either;
            left = default;
            return true;
        }
        right = default;
        left = (TLeft)either;
        return false;
    }
}
