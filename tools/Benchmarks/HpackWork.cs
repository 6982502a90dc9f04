using System.Buffers;
using System.Buffers.Binary;
using Http2.Reference;
using HpackStories;
using Http2.Reference.Hpack;

namespace Benchmarks;

/// <summary>
/// The HPACK work measured by <see cref="HpackBenchmarks"/> and by
/// <c>Benchmarks --hpack</c>, with the semantics of libnghttp2's anchor
/// (tools/hpack-anchor/anchor.c) over the same stories: decode every wire of
/// every folder that has wires (one context per story, each case's
/// <c>header_table_size</c> applied before it); encode every raw-data story
/// with the nghttp2 strategy (one context per story) into one reused buffer,
/// with new field objects for every block (a server builds new fields per
/// response, and nghttp2 keeps nothing about a field between blocks either;
/// the encoder keeps nothing in a field, but a fresh object and its first use
/// are what a server pays). Making those objects is included, as a caller pays it.
/// The raw stories are kept as the anchor keeps them: one flat run of octets
/// (per field a 32-bit length and the name, a 32-bit length and the value), read
/// in order, each block's fields made over slices of it, as the anchor points its
/// <c>nghttp2_nv</c> array into its file.
/// </summary>
public sealed class HpackWork
{
    private readonly (int? Size, byte[] Wire, int Headers)[][] decode;
    private readonly (int? Size, int Count, int Offset)[][] encode;
    private readonly byte[] encodeOctets;
    private readonly List<HeaderField> fresh = new(256);
    private readonly ArrayBufferWriter<byte> writer = new(1 << 16);

    /// <summary>Headers in one pass of <see cref="DecodeAll"/>.</summary>
    public long DecodeHeaders { get; }

    /// <summary>Name + value octets in one pass of <see cref="DecodeAll"/>.</summary>
    public long DecodeOctets { get; }

    /// <summary>Headers in one pass of <see cref="EncodeAll"/>.</summary>
    public long EncodeHeaders { get; }

    /// <summary>Name + value octets in one pass of <see cref="EncodeAll"/>.</summary>
    public long EncodeOctets { get; }

    /// <summary>Reads the corpus under <paramref name="dir"/> (its root: one folder per implementation).</summary>
    public HpackWork(string dir)
    {
        var stories = Corpus.Folders(dir).SelectMany(Corpus.Load).ToList();
        var wired = stories.Where(s => s.Cases.Any(c => c.Wire is not null)).ToList();
        var raw = stories.Where(s => s.Cases.All(c => c.Wire is null)).ToList();
        decode = [.. wired.Select(s => s.Cases.Select(c => (c.HeaderTableSize, c.Wire!.Value.ToArray(), c.Headers.Count)).ToArray())];
        (encode, encodeOctets) = Flatten([.. raw.Select(s => s.Cases.Select(c => (c.HeaderTableSize, c.Headers.ToArray())).ToArray())]);
        DecodeHeaders = wired.Sum(s => s.Cases.Sum(c => (long)c.Headers.Count));
        DecodeOctets = wired.Sum(s => s.Cases.Sum(c => c.RawLength));
        EncodeHeaders = raw.Sum(s => s.Cases.Sum(c => (long)c.Headers.Count));
        EncodeOctets = raw.Sum(s => s.Cases.Sum(c => c.RawLength));
    }

    private HpackWork((int? Size, byte[] Wire, int Headers)[][] decode, (int? Size, HeaderField[] Fields)[][] encode)
    {
        this.decode = decode;
        (this.encode, encodeOctets) = Flatten(encode);
        DecodeHeaders = decode.Sum(s => s.Sum(c => (long)c.Headers));
        EncodeHeaders = encode.Sum(s => s.Sum(c => (long)c.Fields.Length));
        EncodeOctets = encode.Sum(s => s.Sum(c => c.Fields.Sum(f => (long)f.Name.Length + f.Value.Length)));
    }

    // The stories as one flat run of octets, as the anchor's encode.bin holds them.
    private static ((int?, int, int)[][], byte[]) Flatten((int? Size, HeaderField[] Fields)[][] stories)
    {
        var flat = new MemoryStream();
        var w = new BinaryWriter(flat);
        var cases = stories.Select(story => story.Select(c =>
        {
            var offset = (int)flat.Position;
            foreach (var f in c.Fields)
            {
                w.Write((uint)f.Name.Length);
                w.Write(f.Name.Span);
                w.Write((uint)f.Value.Length);
                w.Write(f.Value.Span);
            }
            return (c.Size, c.Fields.Length, offset);
        }).ToArray()).ToArray();
        w.Flush();
        return (cases, flat.ToArray());
    }

    /// <summary>
    /// The same stories from the flat files tools/hpack-anchor/export.py writes
    /// for the libnghttp2 anchor (decode.bin, encode.bin in <paramref name="dir"/>):
    /// identical input, and a start-up cheap enough for callgrind.
    /// </summary>
    public static HpackWork FromAnchorFiles(string dir)
    {
        var d = new BinaryReader(File.OpenRead(Path.Combine(dir, "decode.bin")));
        var decode = new (int?, byte[], int)[d.ReadUInt32()][];
        for (var s = 0; s < decode.Length; s++)
        {
            decode[s] = new (int?, byte[], int)[d.ReadUInt32()];
            for (var c = 0; c < decode[s].Length; c++)
            {
                var size = d.ReadUInt32();
                var headers = (int)d.ReadUInt32();
                var wire = d.ReadBytes((int)d.ReadUInt32());
                decode[s][c] = (size == uint.MaxValue ? null : (int)size, wire, headers);
            }
        }
        var e = new BinaryReader(File.OpenRead(Path.Combine(dir, "encode.bin")));
        var encode = new (int?, HeaderField[])[e.ReadUInt32()][];
        for (var s = 0; s < encode.Length; s++)
        {
            encode[s] = new (int?, HeaderField[])[e.ReadUInt32()];
            for (var c = 0; c < encode[s].Length; c++)
            {
                var size = e.ReadUInt32();
                var fields = new HeaderField[e.ReadUInt32()];
                for (var i = 0; i < fields.Length; i++)
                {
                    var name = e.ReadBytes((int)e.ReadUInt32());
                    fields[i] = new HeaderField(name, e.ReadBytes((int)e.ReadUInt32()));
                }
                encode[s][c] = (size == uint.MaxValue ? null : (int)size, fields);
            }
        }
        return new HpackWork(decode, encode);
    }

    /// <summary>The corpus of <c>HPACK_TEST_CASE_DIR</c>.</summary>
    /// <exception cref="InvalidOperationException">When it is not set to a clone of hpack-test-case.</exception>
    public static HpackWork FromEnvironment()
    {
        var dir = Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR");
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(Path.Combine(dir, "raw-data")))
            throw new InvalidOperationException("set HPACK_TEST_CASE_DIR to a clone of https://github.com/http2jp/hpack-test-case");
        return new HpackWork(dir);
    }

    /// <summary>Decodes every block; returns the headers decoded (checked against each case's count).</summary>
    public long DecodeAll()
    {
        long headers = 0;
        for (var s = 0; s < decode.Length; s++)
        {
            DecoderState? state = null;
            for (var c = 0; c < decode[s].Length; c++)
            {
                var (size, wire, count) = decode[s][c];
                var result = HpackDecoder.Decode(StoryContext.DecoderBefore(state, size), wire, DecoderLimits.Unlimited);
                if (!result.IsRight)
                    throw new InvalidOperationException($"story {s} case {c} failed to decode: {result.Match(Right: _ => "", Left: e => e.ToString())} ({Convert.ToHexStringLower(wire)})");
                var decoded = (DecodedBlock)result;
                if (decoded.Fields.Count != count) throw new InvalidOperationException("a corpus block decoded to the wrong number of fields");
                state = decoded.State;
                headers += count;
            }
        }
        return headers;
    }

    /// <summary>Encodes every raw-data story with <paramref name="strategy"/>; returns the headers encoded and the block octets.</summary>
    public (long Headers, long Wire) EncodeAll(EncoderStrategy strategy)
    {
        long headers = 0, wire = 0;
        foreach (var story in encode)
        {
            EncoderState? state = null;
            foreach (var (size, count, offset) in story)
            {
                state = StoryContext.EncoderBefore(state, size, strategy);
                writer.ResetWrittenCount();
                state = HpackEncoder.Encode(state, Fresh(count, offset), writer);
                wire += writer.WrittenCount;
                headers += count;
            }
        }
        return (headers, wire);
    }

    /// <summary>Encodes every raw-data story into a fresh array per block (<see cref="HpackEncoder.Encode(EncoderState, IReadOnlyList{HeaderField})"/>).</summary>
    public long EncodeAllToArrays(EncoderStrategy strategy)
    {
        long wire = 0;
        foreach (var story in encode)
        {
            EncoderState? state = null;
            foreach (var (size, count, offset) in story)
            {
                state = StoryContext.EncoderBefore(state, size, strategy);
                (state, var block) = HpackEncoder.Encode(state, Fresh(count, offset));
                wire += block.Length;
            }
        }
        return wire;
    }

    // The block's fields as new objects over the flat octets, read in order as the anchor reads them.
    private List<HeaderField> Fresh(int count, int offset)
    {
        fresh.Clear();
        var octets = encodeOctets;
        for (var i = 0; i < count; i++)
        {
            var nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(octets.AsSpan(offset));
            var name = new Bytes(octets.AsMemory(offset + 4, nameLength));
            offset += 4 + nameLength;
            var valueLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(octets.AsSpan(offset));
            fresh.Add(new HeaderField(name, new Bytes(octets.AsMemory(offset + 4, valueLength))));
            offset += 4 + valueLength;
        }
        return fresh;
    }
}
