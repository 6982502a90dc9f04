using System.Runtime.InteropServices;

namespace Http2.Reference;

/// <summary>
/// Lists walked as spans. A field or event list is almost always an array or a
/// <see cref="List{T}"/>; a span reads their elements without an interface call
/// (a virtual stub dispatch) per element, which loops over
/// <see cref="IReadOnlyList{T}"/> pay.
/// </summary>
internal static class ReadOnlyLists
{
    /// <summary>The elements of <paramref name="list"/>: the array or the list's own storage, or a copy of any other list.</summary>
    public static ReadOnlySpan<T> Span<T>(IReadOnlyList<T> list) => list switch
    {
        T[] array => array,
        List<T> items => CollectionsMarshal.AsSpan(items),
        _ => list.ToArray(),
    };
}
