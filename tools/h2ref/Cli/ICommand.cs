namespace Tools;

/// <summary>A subcommand of h2ref.</summary>
public interface ICommand
{
    /// <summary>The word that selects it (<c>h2ref NAME ...</c>).</summary>
    string Name { get; }
    /// <summary>One line for <c>h2ref --help</c>.</summary>
    string Summary { get; }
    /// <summary>Runs it; the result is the process exit status.</summary>
    Task<int> RunAsync(string[] args);
}
