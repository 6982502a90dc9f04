using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;

namespace Conformance.Tests.Frames;

/// <summary>Helpers: read hex through the frame reader and assert on the outcome.</summary>
internal static class Wire
{
    public const uint DefaultMax = FrameConstants.DefaultMaxFrameSize;

    public static byte[] Hex(string hex) => Bytes.FromHex(hex).ToArray();

    /// <summary>Reads one frame that must be valid and occupy the whole input.</summary>
    public static Frame ReadOne(string hex, uint maxFrameSize = DefaultMax)
    {
        var bytes = Hex(hex);
        var read = Assert.IsType<FrameRead>(FrameReader.Read(bytes, maxFrameSize));
        Assert.Equal(bytes.Length, read.Consumed);
        return read.Frame;
    }

    /// <summary>Reads one frame of a given record type.</summary>
    public static T Read<T>(string hex, uint maxFrameSize = DefaultMax) where T : Frame =>
        Assert.IsType<T>(ReadOne(hex, maxFrameSize));

    /// <summary>Reads input that must be rejected with the given code and scope.</summary>
    public static ReadFailed Fails(string hex, ErrorCode code, ErrorScope scope, uint maxFrameSize = DefaultMax)
    {
        var failed = Assert.IsType<ReadFailed>(FrameReader.Read(Hex(hex), maxFrameSize));
        Assert.Equal(code, failed.Error.Code);
        Assert.Equal(scope, failed.Error.Scope);
        Assert.StartsWith("RFC 9113 §", failed.Error.Section);
        return failed;
    }

    /// <summary>Reads every frame of a byte stream fed in the given chunk sizes; stops at the first error.</summary>
    public static (List<Frame> Frames, Option<FrameError> Error) ReadChunked(byte[] stream, IEnumerable<int> chunkSizes, uint maxFrameSize)
    {
        var frames = new List<Frame>();
        var pending = Array.Empty<byte>();
        var offset = 0;
        using var sizes = chunkSizes.GetEnumerator();
        while (true)
        {
            // Every buffer state is a fresh array: frames alias their input,
            // which must not change while they are in use.
            var take = offset < stream.Length ? Math.Min(stream.Length - offset, Math.Max(1, sizes.MoveNext() ? sizes.Current : stream.Length)) : 0;
            pending = [.. pending, .. stream.AsSpan(offset, take)];
            offset += take;
            while (true)
            {
                switch (FrameReader.Read(pending, maxFrameSize))
                {
                    case FrameRead read:
                        frames.Add(read.Frame);
                        pending = pending[read.Consumed..];
                        continue;
                    case ReadFailed failed:
                        return (frames, failed.Error);
                    case NeedMore needMore:
                        Assert.True(needMore.AtLeast > pending.Length, "NeedMore asks for more than it has");
                        break;
                }
                break;
            }
            if (offset == stream.Length)
                return (frames, Option<FrameError>.None);
        }
    }
}
