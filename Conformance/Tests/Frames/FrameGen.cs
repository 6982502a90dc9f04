using FsCheck;
using FsCheck.Fluent;
using Http2.Reference;
using Http2.Reference.Frames;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>
/// FsCheck generators for the Frame hierarchy: every record with every field
/// in its legal wire range (31-bit stream ids, open codes, unknown setting ids
/// and frame types), so that writer/reader round trips are exact.
/// </summary>
public static class FrameGen
{
    public static readonly Gen<uint> U31 = Gen.Choose(0, int.MaxValue).Select(i => (uint)i);

    /// <summary>Small ids are frequent (real streams), the whole range is covered.</summary>
    public static readonly Gen<uint> StreamId = Gen.Frequency(
        (3, Gen.Choose(1, 101)),
        (1, Gen.Choose(1, int.MaxValue))).Select(i => (uint)i);

    public static readonly Gen<uint> U32 = Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i));

    public static readonly Gen<byte> Octet = Gen.Choose(0, 255).Select(i => (byte)i);

    public static readonly Gen<bool> Bool = Gen.Elements(true, false);

    public static readonly Gen<Bytes> Payload = Gen.ArrayOf(Octet).Select(a => new Bytes(a));

    public static readonly Gen<LanguageExt.Option<byte>> Padding = Gen.Frequency(
        (2, Gen.Constant(LanguageExt.Option<byte>.None)),
        (1, Gen.Frequency((3, Gen.Choose(0, 8)), (1, Gen.Choose(0, 255))).Select(i => Some((byte)i))));

    public static readonly Gen<ErrorCode> Code = Gen.Frequency(
        (3, Gen.Choose(0, 0xd).Select(i => (uint)i)),
        (1, U32)).Select(v => new ErrorCode(v));

    public static readonly Gen<PriorityFields> Priority =
        from e in Bool from d in U31 from w in Octet select new PriorityFields(e, d, w);

    public static readonly Gen<Setting> Setting =
        from id in Gen.Frequency((3, Gen.Choose(1, 6)), (1, Gen.Choose(0, 0xffff)))
        from v in U32
        select new Setting(new SettingId((ushort)id), v);

    public static readonly Gen<Frame> Data =
        from s in StreamId from d in Payload from e in Bool from p in Padding
        select (Frame)new DataFrame(s, d, e, p);

    public static readonly Gen<Frame> Headers =
        from s in StreamId from f in Payload from es in Bool from eh in Bool
        from pr in Gen.OneOf(Gen.Constant(LanguageExt.Option<PriorityFields>.None), Priority.Select(p => Some(p)))
        from p in Padding
        select (Frame)new HeadersFrame(s, f, es, eh, pr, p);

    public static readonly Gen<Frame> PriorityFrame =
        from s in StreamId from p in Priority select (Frame)new PriorityFrame(s, p);

    public static readonly Gen<Frame> RstStream =
        from s in StreamId from c in Code select (Frame)new RstStreamFrame(s, c);

    public static readonly Gen<Frame> Settings = Gen.OneOf(
        Gen.Constant((Frame)SettingsFrame.Acknowledgement),
        Gen.ListOf(Setting).Select(l => (Frame)new SettingsFrame(false, toSeq(l))));

    public static readonly Gen<Frame> PushPromise =
        from s in StreamId from ps in U31 from f in Payload from eh in Bool from p in Padding
        select (Frame)new PushPromiseFrame(s, ps, f, eh, p);

    public static readonly Gen<Frame> Ping =
        from a in Bool from hi in U32 from lo in U32
        select (Frame)new PingFrame(a, (ulong)hi << 32 | lo);

    public static readonly Gen<Frame> GoAway =
        from l in U31 from c in Code from d in Payload select (Frame)new GoAwayFrame(l, c, d);

    public static readonly Gen<Frame> WindowUpdate =
        from s in Gen.OneOf(Gen.Constant(0u), StreamId) from i in U31
        select (Frame)new WindowUpdateFrame(s, i);

    public static readonly Gen<Frame> Continuation =
        from s in StreamId from f in Payload from eh in Bool select (Frame)new ContinuationFrame(s, f, eh);

    public static readonly Gen<Frame> Unknown =
        from t in Gen.Choose(0x0a, 0xff) from fl in Octet from s in Gen.OneOf(Gen.Constant(0u), U31) from p in Payload
        select (Frame)new UnknownFrame(new FrameType((byte)t), fl, s, p);

    /// <summary>Any frame, every type equally likely.</summary>
    public static readonly Gen<Frame> Any = Gen.OneOf(
        Data, Headers, PriorityFrame, RstStream, Settings, PushPromise, Ping, GoAway, WindowUpdate, Continuation, Unknown);

    /// <summary>
    /// A frame of any type octet (the ten known ones mostly), any flags, a
    /// small stream id that is sometimes 0 and a short random payload: input
    /// that reaches every per-type check, valid or not.
    /// </summary>
    public static readonly Gen<(byte Type, byte Flags, uint StreamId, byte[] Payload)> RawFrame =
        from t in Gen.Frequency((5, Gen.Choose(0, 9)), (1, Gen.Choose(0, 255)))
        from f in Octet
        from s in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 9)), (1, Gen.Choose(int.MinValue, int.MaxValue)))
        from p in Gen.Frequency((1, Gen.Choose(0, 12)), (1, Gen.Choose(0, 40))).SelectMany(n => Gen.ArrayOf(Octet, n))
        select ((byte)t, f, unchecked((uint)s), p);
}

/// <summary>Arbitrary instances registered with <c>[Property(Arbitrary = ...)]</c>.</summary>
public static class FrameArbitraries
{
    public static Arbitrary<Frame> Frame() => Arb.From(FrameGen.Any);

    public static Arbitrary<Frame[]> Frames() => Arb.From(Gen.ArrayOf(FrameGen.Any));
}
