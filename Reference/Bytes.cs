namespace Http2.Reference;

/// <summary>
/// An immutable run of octets with value equality. HTTP/2 payloads, field
/// names and values are octets (DESIGN: "bytes are bytes"); wrapping them in
/// this struct gives records that hold them structural equality, so a frame
/// read back from its encoding compares equal to the original.
/// </summary>
/// <remarks>
/// A <see cref="Bytes"/> may alias the buffer it was sliced from (the frame
/// reader does not copy); whoever owns that buffer must not overwrite it while
/// the value is in use. <see cref="Copy"/> detaches it.
/// </remarks>
public readonly struct Bytes : IEquatable<Bytes>
{
    private readonly ReadOnlyMemory<byte> memory;

    /// <summary>Wraps <paramref name="memory"/> without copying.</summary>
    public Bytes(ReadOnlyMemory<byte> memory) => this.memory = memory;

    /// <summary>The empty run.</summary>
    public static Bytes Empty => default;

    /// <summary>The octets.</summary>
    public ReadOnlyMemory<byte> Memory => memory;

    /// <summary>The octets as a span.</summary>
    public ReadOnlySpan<byte> Span => memory.Span;

    /// <summary>Number of octets.</summary>
    public int Length => memory.Length;

    /// <summary>True when there are no octets.</summary>
    public bool IsEmpty => memory.IsEmpty;

    /// <summary>A copy that aliases no caller buffer.</summary>
    public Bytes Copy() => new(memory.ToArray());

    /// <summary>The octets as a new array.</summary>
    public byte[] ToArray() => memory.ToArray();

    /// <summary>The UTF-8 text of a string.</summary>
    public static Bytes FromUtf8(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Parses hexadecimal text (whitespace ignored).</summary>
    public static Bytes FromHex(string hex) =>
        new(Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c)))));

    /// <summary>Lower-case hexadecimal text of the octets.</summary>
    public string ToHex() => Convert.ToHexStringLower(memory.Span);

    /// <summary>The octets decoded as UTF-8 (invalid sequences replaced).</summary>
    public string ToUtf8() => System.Text.Encoding.UTF8.GetString(memory.Span);

    /// <summary>Wraps an array without copying.</summary>
    public static implicit operator Bytes(byte[] array) => new(array);

    /// <summary>Wraps memory without copying.</summary>
    public static implicit operator Bytes(ReadOnlyMemory<byte> memory) => new(memory);

    /// <inheritdoc />
    public bool Equals(Bytes other) => memory.Span.SequenceEqual(other.memory.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Bytes b && Equals(b);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(memory.Span);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Bytes a, Bytes b) => a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Bytes a, Bytes b) => !a.Equals(b);

    /// <summary>Hex, for test failure messages and logs.</summary>
    public override string ToString() => ToHex();
}
