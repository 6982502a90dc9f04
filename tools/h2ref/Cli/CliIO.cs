namespace Tools.Cli;

/// <summary>
/// Where a command reads and writes. Commands never touch <see cref="Console"/>
/// directly, so tests run them in-process with captured streams.
/// </summary>
/// <param name="OpenStdin">Opens standard input (binary; text readers wrap it).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Err">Standard error.</param>
/// <param name="ErrIsTerminal">Progress lines are drawn only on a terminal.</param>
public sealed record CliIO(Func<Stream> OpenStdin, TextWriter Out, TextWriter Err, bool ErrIsTerminal)
{
    /// <summary>The process's own streams.</summary>
    public static CliIO Process => new(
        Console.OpenStandardInput,
        Console.Out,
        Console.Error,
        !Console.IsErrorRedirected);

    /// <summary>Reads a named file, or standard input for <c>-</c> / no name.</summary>
    public byte[] ReadAllBytes(string? path)
    {
        if (path is null or "-")
        {
            using var stdin = OpenStdin();
            using var buffer = new MemoryStream();
            stdin.CopyTo(buffer);
            return buffer.ToArray();
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>Reads a named file or standard input as UTF-8 text.</summary>
    public string ReadAllText(string? path) => System.Text.Encoding.UTF8.GetString(ReadAllBytes(path)).TrimStart('\uFEFF');

    /// <summary>Writes <paramref name="text"/> to a named file, or to standard output for <c>-</c>.</summary>
    public void WriteAllText(string path, string text)
    {
        if (path == "-")
        {
            Out.Write(text);
            Out.Flush();
            return;
        }
        File.WriteAllText(path, text);
    }
}
