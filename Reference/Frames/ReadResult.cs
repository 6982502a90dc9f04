namespace Http2.Reference.Frames;

/// <summary>
/// The outcome of <see cref="FrameReader.Read(ReadOnlyMemory{byte}, uint)"/>:
/// a closed hierarchy of exactly three cases, matched with a switch
/// expression.
/// </summary>
public abstract record ReadResult
{
    private protected ReadResult() { }
}

/// <summary>A complete, valid frame.</summary>
/// <param name="Frame">The frame; its payload fields alias the input buffer (see <see cref="FrameReader"/>).</param>
/// <param name="Consumed">Octets of input the frame occupied (9 + payload length).</param>
public sealed record FrameRead(Frame Frame, int Consumed) : ReadResult;

/// <summary>The input holds no complete frame yet.</summary>
/// <param name="AtLeast">
/// How many octets in total (counted from the start of the input given) are
/// needed to make progress: 9 while the header is incomplete, then 9 plus the
/// payload length.
/// </param>
public sealed record NeedMore(int AtLeast) : ReadResult;

/// <summary>The frame is invalid.</summary>
/// <param name="Error">The error, with its code, scope and section.</param>
/// <param name="Consumed">
/// Octets to skip when the error is a stream error and the connection goes on
/// (the whole frame). For a connection error the connection ends and this
/// value is of no use; it is the whole frame when its payload was read, else
/// the 9-octet header.
/// </param>
public sealed record ReadFailed(FrameError Error, int Consumed) : ReadResult;
