namespace Http2.Reference.Hpack;

/// <summary>The seed's <c>print_hd_table</c>.</summary>
public static class HeaderTablePrinter
{
    /// <summary>
    /// Writes one line per entry, numbered from 1 (newest first), exactly
    /// <c>[i] (s=size) name: value</c>; names and values as UTF-8.
    /// </summary>
    /// <exception cref="ArgumentNullException">When an argument is null.</exception>
    public static void Print(IEnumerable<HeaderTableEntry> table, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(output);
        var i = 1;
        foreach (var e in table) output.WriteLine($"[{i++}] (s={e.Size}) {e.Name.ToUtf8()}: {e.Value.ToUtf8()}");
    }

    /// <summary>Writes the entries of a dynamic table (newest first).</summary>
    /// <exception cref="ArgumentNullException">When an argument is null.</exception>
    public static void Print(DynamicTable table, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(table);
        Print(HeaderTableEntry.Of(table), output);
    }
}
