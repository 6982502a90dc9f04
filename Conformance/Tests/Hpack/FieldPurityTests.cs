using System.Reflection;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// A field is an immutable value (RFC 7541 §1.3): encoding writes nothing into
/// the fields it is given, nor into the static table's shared entries (Appendix A),
/// so one field can be encoded by any number of connections and threads.
/// </summary>
public class FieldPurityTests
{
    // Every instance field of a HeaderField, public or not, as stored.
    private static object?[] Snapshot(HeaderField f) =>
        [.. typeof(HeaderField).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(x => x.GetValue(f))];

    [Fact(DisplayName = "RFC 7541 §2.3.1, §6: encoding leaves the given fields and the static table's entries exactly as they were")]
    public void EncodingWritesNoField()
    {
        HeaderField[] block =
        [
            StaticTable.Get(2), StaticTable.Get(8), StaticTable.Get(32), HeaderField.Of("x-custom", "v"),
            HeaderField.Of(":path", "/a"), HeaderField.Of("cookie", "short"), HeaderField.Of("user-agent", "test", sensitive: true),
        ];
        var statics = StaticTable.Entries.ToArray();
        var before = block.Select(Snapshot).ToArray();
        var staticBefore = statics.Select(Snapshot).ToArray();
        foreach (var strategy in EncoderStrategy.All)
        {
            var state = EncoderState.Initial(strategy);
            for (var i = 0; i < 3; i++) (state, _) = HpackEncoder.Encode(state, block);
        }
        for (var i = 0; i < block.Length; i++) Assert.Equal(before[i], Snapshot(block[i]));
        for (var i = 0; i < statics.Length; i++) Assert.Equal(staticBefore[i], Snapshot(statics[i]));
    }
}
