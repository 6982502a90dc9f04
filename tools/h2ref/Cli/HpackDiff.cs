using Http2.Reference.Hpack;

namespace Tools.Cli;

/// <summary>Where two header lists first differ, in words.</summary>
public static class HpackDiff
{
    /// <summary>The first differing field (by position), or null when the lists are equal.</summary>
    public static string? FirstDifference(IReadOnlyList<HeaderField> expected, IReadOnlyList<HeaderField> actual)
    {
        var n = Math.Min(expected.Count, actual.Count);
        for (var k = 0; k < n; k++)
        {
            var (e, a) = (expected[k], actual[k]);
            if (e.Name != a.Name)
                return $"header {k}: name differs: expected \"{Show(e.NameText)}\", decoded \"{Show(a.NameText)}\"";
            if (e.Value != a.Value)
                return $"header {k} ({Show(e.NameText)}): value differs: expected \"{Show(e.ValueText)}\", decoded \"{Show(a.ValueText)}\"";
        }
        if (expected.Count > n)
            return $"header {n}: expected \"{Show(expected[n].NameText)}: {Show(expected[n].ValueText)}\", decoded list ends ({actual.Count} fields, expected {expected.Count})";
        if (actual.Count > n)
            return $"header {n}: decoded an extra field \"{Show(actual[n].NameText)}: {Show(actual[n].ValueText)}\" ({actual.Count} fields, expected {expected.Count})";
        return null;
    }

    /// <summary>Text with control characters escaped, shortened to a readable length.</summary>
    public static string Show(string text, int max = 120)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var ch in text)
            sb.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or '\x7f' => $"\\x{(int)ch:x2}",
                _ => ch.ToString(),
            });
        var s = sb.ToString();
        return s.Length > max ? s[..max] + $"...({text.Length} chars)" : s;
    }
}
