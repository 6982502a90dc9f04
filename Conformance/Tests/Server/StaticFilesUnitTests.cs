using Http2.Reference.Hpack;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The pure parts of <see cref="StaticFiles"/>: the media type table, byte ranges, preconditions.</summary>
public sealed class StaticFilesUnitTests
{
    [Fact(DisplayName = "Media types: the mime.types format (comments, blanks, several extensions, first mapping wins), the built-in web types over it")]
    public void MediaTypeTable()
    {
        var table = MediaTypes.FromText("""
            # a comment line
            application/x-first    dup one
            application/x-second   dup
            text/x-old             js
            text/x-nothing
            image/x-tar-gz         tar.gz   # trailing comment
            """);
        Assert.Equal("application/x-first", table.For("file.dup"));
        Assert.Equal("application/x-first", table.For("/a/b/c.ONE"));
        Assert.Equal("text/javascript", table.For("app.js"));      // built-in wins (RFC 9239)
        Assert.Equal("image/x-tar-gz", table.For("a.tar.gz"));     // the compound suffix first
        Assert.Equal(MediaTypes.Unknown, table.For("README"));
        Assert.Equal(MediaTypes.Unknown, table.For(".profile"));    // a leading dot is no extension
        Assert.Equal(MediaTypes.Unknown, table.For("trailing."));
    }

    [Fact(DisplayName = "Media types: without /etc/mime.types the built-in table still types the common web files")]
    public void BuiltInAlone()
    {
        var table = MediaTypes.FromFile("/nonexistent/mime.types");
        Assert.Equal("text/javascript", table.For("m.mjs"));
        Assert.Equal("image/svg+xml", table.For("i.svg"));
        Assert.Equal("application/wasm", table.For("x.wasm"));
        Assert.Equal("text/html", table.For("index.html"));
        Assert.Equal(MediaTypes.Unknown, table.For("x.docx"));
    }

    [Fact(DisplayName = "Media types: the system table, when present, types what the built-in one does not (Debian media-types)")]
    public void SystemTable()
    {
        if (!File.Exists(MediaTypes.SystemTablePath))
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 }) Assert.Fail("/etc/mime.types is missing (.ci/run installs media-types)");
            Assert.Skip("/etc/mime.types is absent: apt-get install media-types");
        }
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", MediaTypes.System.For("report.docx"));
    }

    [Theory(DisplayName = "RFC 9110 §14.1.2: byte ranges against a 1000-octet representation")]
    [InlineData("bytes=0-499", 0, 499)]
    [InlineData("bytes=500-999", 500, 999)]
    [InlineData("bytes=500-5000", 500, 999)]
    [InlineData("bytes=900-", 900, 999)]
    [InlineData("bytes=-100", 900, 999)]
    [InlineData("bytes=-5000", 0, 999)]
    [InlineData("Bytes = 1-1", 1, 1)]
    public void Satisfiable(string value, long first, long last) =>
        Assert.Equal(new RangeRequest.Part(first, last), RangeRequest.Of(value, 1000));

    [Theory(DisplayName = "RFC 9110 §14.1.2: a first position at or past the end, or a zero suffix, is unsatisfiable (416)")]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    public void Unsatisfiable(string value) => Assert.IsType<RangeRequest.Unsatisfiable>(RangeRequest.Of(value, 1000));

    [Theory(DisplayName = "RFC 9110 §14.2: no range, an invalid one, another unit or several ranges are served whole")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=-")]
    [InlineData("bytes=+1-2")]
    [InlineData("items=0-1")]
    [InlineData("bytes 0-1")]
    [InlineData("bytes=0-1,3-4")]
    public void Whole(string? value) => Assert.IsType<RangeRequest.Whole>(RangeRequest.Of(value, 1000));

    [Fact(DisplayName = "RFC 9110 §14.1.2: an empty representation is served whole whatever the range")]
    public void EmptyRepresentation() => Assert.IsType<RangeRequest.Whole>(RangeRequest.Of("bytes=-5", 0));

    private static readonly Validators File1 = Validators.Of(1000, new DateTime(2026, 11, 25, 21, 52, 48, 700, DateTimeKind.Utc));

    private static IReadOnlyList<HeaderField> Fields(params (string Name, string Value)[] fields) =>
        [HeaderField.Of(":method", "GET"), HeaderField.Of(":path", "/f"), .. fields.Select(f => HeaderField.Of(f.Name, f.Value))];

    [Fact(DisplayName = "RFC 9110 §8.8: validators from length and modification time; last-modified in whole seconds, IMF-fixdate")]
    public void ValidatorsOfFile()
    {
        Assert.Equal("Wed, 25 Nov 2026 21:52:48 GMT", File1.LastModifiedText);
        Assert.NotEqual(File1.ETag, Validators.Of(1001, new DateTime(2026, 11, 25, 21, 52, 48, DateTimeKind.Utc)).ETag);
        Assert.NotEqual(File1.ETag, Validators.Of(1000, new DateTime(2026, 11, 25, 21, 52, 49, DateTimeKind.Utc)).ETag);
    }

    [Fact(DisplayName = "RFC 9110 §13.2.2: If-Match fails 412; If-None-Match matches weakly 304 and takes precedence over If-Modified-Since")]
    public void Evaluate()
    {
        var tag = File1.ETag;
        Assert.Null(File1.Evaluate(Fields()));
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", tag))));
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", $"\"x,y\", W/{tag}"))));
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", "*"))));
        Assert.Null(File1.Evaluate(Fields(("if-none-match", "\"x\""))));
        Assert.Null(File1.Evaluate(Fields(("if-none-match", "\"x\""), ("if-modified-since", File1.LastModifiedText))));
        Assert.Equal(304, File1.Evaluate(Fields(("if-modified-since", File1.LastModifiedText))));
        Assert.Equal(304, File1.Evaluate(Fields(("if-modified-since", "Wednesday, 25-Nov-26 21:52:48 GMT")))); // RFC 850 form
        Assert.Equal(304, File1.Evaluate(Fields(("if-modified-since", "Wed Nov 25 21:52:48 2026"))));          // asctime
        Assert.Null(File1.Evaluate(Fields(("if-modified-since", "Wed, 25 Nov 2026 21:52:47 GMT"))));
        Assert.Null(File1.Evaluate(Fields(("if-modified-since", "yesterday"))));
        Assert.Equal(412, File1.Evaluate(Fields(("if-match", "\"x\""))));
        Assert.Equal(412, File1.Evaluate(Fields(("if-match", "W/" + tag)))); // If-Match compares strongly
        Assert.Null(File1.Evaluate(Fields(("if-match", tag))));
        Assert.Equal(412, File1.Evaluate(Fields(("if-unmodified-since", "Wed, 25 Nov 2026 21:52:47 GMT"))));
    }

    [Fact(DisplayName = "RFC 9110 §8.8.3, §13.1.2: entity-tag lists read as octets: entries that are not tags skipped, quoted commas kept, an unterminated tag ends the list")]
    public void EntityTagLists()
    {
        var tag = File1.ETag;
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", $"foo, {tag}"))));            // not a tag, then ours
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", $"W/x,\t{tag}"))));            // W/ without a quote skipped
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", $"\"a,{tag}\", {tag}"))));   // ours inside a quoted tag does not count, the next does
        Assert.Null(File1.Evaluate(Fields(("if-none-match", $"\"a,{tag}\""))));
        Assert.Null(File1.Evaluate(Fields(("if-none-match", $"\"open, {tag}"))));              // unterminated: nothing after it
        Assert.Null(File1.Evaluate(Fields(("if-none-match", tag[..^1]))));                       // a prefix of ours
        Assert.Null(File1.Evaluate(Fields(("if-none-match", "**"))));
        Assert.Null(File1.Evaluate(Fields(("if-match", $"\"x\", {tag}"))));                   // a list naming ours: the precondition holds
        Assert.Equal(304, File1.Evaluate(Fields(("if-modified-since", File1.LastModifiedText + new string(' ', 80))))); // long: read as text, trimmed
    }

    [Fact(DisplayName = "RFC 9110 §5.3, §13.1.1, §13.1.2: several If-None-Match or If-Match lines are one list: a tag in any line counts")]
    public void ListFieldsOverSeveralLines()
    {
        var tag = File1.ETag;
        Assert.Equal(304, File1.Evaluate(Fields(("if-none-match", "\"x\""), ("accept", "*/*"), ("if-none-match", $"\"y\", {tag}"))));
        Assert.Null(File1.Evaluate(Fields(("if-none-match", "\"x\""), ("if-none-match", "\"y\""))));
        Assert.Null(File1.Evaluate(Fields(("if-match", "\"x\""), ("if-match", tag))));
        Assert.Equal(412, File1.Evaluate(Fields(("if-match", "\"x\""), ("if-match", "\"y\""))));
        // Of two dates, the first line counts.
        Assert.Equal(304, File1.Evaluate(Fields(("if-modified-since", File1.LastModifiedText), ("if-modified-since", "Wed, 25 Nov 2026 21:52:47 GMT"))));
        Assert.Null(File1.Evaluate(Fields(("if-modified-since", "Wed, 25 Nov 2026 21:52:47 GMT"), ("if-modified-since", File1.LastModifiedText))));
    }

    [Fact(DisplayName = "RFC 9110 §13.1.5: If-Range matches the strong etag or the exact date only")]
    public void IfRange()
    {
        Assert.True(File1.RangeApplies(null));
        Assert.True(File1.RangeApplies(File1.ETag));
        Assert.True(File1.RangeApplies(File1.LastModifiedText));
        Assert.False(File1.RangeApplies("W/" + File1.ETag));
        Assert.False(File1.RangeApplies("\"other\""));
        Assert.False(File1.RangeApplies("Wed, 25 Nov 2026 21:52:49 GMT"));
        Assert.False(File1.RangeApplies("garbage"));
    }

    private sealed class Probe : RequestHandler;

    private static Probe Request(params (string Name, string Value)[] fields)
    {
        var probe = new Probe();
        probe.SetRequest([.. Fields(fields)]);
        return probe;
    }

    [Fact(DisplayName = "RFC 9113 §8.2.1: a request field is found by its name in any case (names are lower case on the wire); the first of several")]
    public void FieldByName()
    {
        var r = Request(("if-none-match", "\"a\""), ("x-two", "1"), ("x-two", "2"));
        Assert.Equal("\"a\"", r.Header("If-None-Match"));
        Assert.Equal("1", r.Header("X-TWO"));
        Assert.Equal("GET", r.Header(":method"));
        Assert.Null(r.Header("if-none-matc"));
        Assert.Null(r.Header("if-none-matchx"));
        Assert.Null(r.Header("x-tw\u00f6")); // no octet of a received name is outside printable ASCII
        Assert.Equal("/f", r.Path);
        Assert.Equal("GET", r.Method);
    }

    [Theory(DisplayName = "RFC 9110 §13.1, §14.2: a request with any if-* or range field is evaluated in full; one without them is not")]
    [InlineData("if-none-match", true)]
    [InlineData("if-modified-since", true)]
    [InlineData("if-match", true)]
    [InlineData("if-unmodified-since", true)]
    [InlineData("if-range", true)]
    [InlineData("if-anything-new", true)]
    [InlineData("range", true)]
    [InlineData("accept", false)]
    [InlineData("ranges", false)]
    [InlineData("x-if-none-match", false)]
    public void MayBeConditional(string name, bool conditional)
    {
        Assert.Equal(conditional, Request(("accept", "*/*"), (name, "x"), ("user-agent", "t")).MayBeConditional);
        Assert.False(Request(("accept", "*/*")).MayBeConditional);
    }
}
