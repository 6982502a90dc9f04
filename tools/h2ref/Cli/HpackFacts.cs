using Newtonsoft.Json.Linq;
using Http2.Reference.Hpack;

namespace Tools.Cli;

/// <summary>What the tools need to know about the HPACK library: strategies by name, table views.</summary>
public static class HpackFacts
{
    /// <summary>Every encoder strategy, by its name.</summary>
    public static IReadOnlyList<(string Name, EncoderStrategy Strategy)> Strategies =>
        EncoderStrategy.All.Select(s => (s.Name, s)).ToArray();

    /// <summary>The strategy called <paramref name="name"/> (case-insensitive).</summary>
    public static EncoderStrategy StrategyByName(string name) =>
        Strategies.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).Strategy
        ?? throw new UsageException($"no strategy '{name}' (known: {string.Join(", ", Strategies.Select(s => s.Name))})");

    /// <summary>The dynamic table of an encoder.</summary>
    public static DynamicTable Table(EncoderState state) => state.Table;

    /// <summary>The dynamic table of a decoder.</summary>
    public static DynamicTable Table(DecoderState state) => state.Table;

    /// <summary>A table as JSON: entries newest first (index 1 = HPACK index 62), sizes.</summary>
    public static JObject TableJson(DynamicTable table) => new()
    {
        ["max_size"] = table.MaxSize,
        ["size"] = table.Size,
        ["entries"] = new JArray(table.Select((e, i) => new JObject
        {
            ["index"] = i + 1,
            ["name"] = e.NameText,
            ["value"] = e.ValueText,
            ["size"] = e.Size,
        })),
    };
}
