namespace HpackStories;

/// <summary>A story: cases that share one compression context (one connection direction), in order.</summary>
/// <param name="Source">Where it was read from (a path, or a label such as <c>stdin</c>).</param>
/// <param name="Description">The optional <c>description</c>.</param>
/// <param name="Cases">The cases.</param>
public sealed record Story(string Source, string? Description, IReadOnlyList<StoryCase> Cases)
{
    /// <summary>The file name of <see cref="Source"/> (<c>story_00.json</c>).</summary>
    public string Name => Path.GetFileName(Source);

    /// <summary>Every case carries a <c>wire</c> (decoder input); false for raw-data stories.</summary>
    public bool HasWires => Cases.Count > 0 && Cases.All(c => c.Wire is not null);
}
