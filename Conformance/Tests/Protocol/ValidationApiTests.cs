using LanguageExt;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// The public validation APIs return Either: Left the rule broken with its
/// section, Right what the connection needs to know (or the value checked).
/// </summary>
public class ValidationApiTests
{
    private static HeaderField F(string n, string v) => HeaderField.Of(n, v);

    private static string Left<L, R>(Either<L, R> e) => e.Match(Right: r => $"right {r}", Left: l => $"left {l}");

    [Fact(DisplayName = "RFC 9113 §8.3.1: CheckRequest is Left with the section for a request without :method, Right with the content-length otherwise")]
    public void CheckRequest()
    {
        var missing = FieldValidation.CheckRequest([F(":scheme", "https"), F(":path", "/")], true);
        Assert.Equal("8.3.1", missing.Match(Right: _ => "", Left: m => m.Section));
        var post = FieldValidation.CheckRequest([F(":method", "POST"), F(":scheme", "https"), F(":path", "/"), F("content-length", "5")], false);
        Assert.Equal(5L, post.Match(Right: h => h.ContentLength.IfNone(-1), Left: _ => -2));
    }

    [Fact(DisplayName = "RFC 9113 §8.3.2: CheckResponse is Left for a :status of two digits, Right with the status otherwise")]
    public void CheckResponse()
    {
        Assert.Equal("8.3.2", FieldValidation.CheckResponse([F(":status", "20")], true).Match(Right: _ => "", Left: m => m.Section));
        Assert.Equal(204, FieldValidation.CheckResponse([F(":status", "204")], true).Match(Right: h => h.Status, Left: _ => 0));
    }

    [Fact(DisplayName = "RFC 9113 §8.1: CheckTrailers is Left for a pseudo-header, Right with the fields otherwise")]
    public void CheckTrailers()
    {
        Assert.Equal("8.1", FieldValidation.CheckTrailers([F(":path", "/")]).Match(Right: _ => "", Left: m => m.Section));
        IReadOnlyList<HeaderField> ok = [F("x-checksum", "1")];
        Assert.Same(ok, FieldValidation.CheckTrailers(ok).Match(Right: f => f, Left: _ => []));
    }

    [Fact(DisplayName = "RFC 9113 §8.2.1, §8.2.2: CheckName, CheckValue and CheckRegular are Left for uppercase names, CR in values and connection-specific fields")]
    public void FieldChecks()
    {
        Assert.True(FieldValidation.CheckName("Host"u8).IsLeft);
        Assert.True(FieldValidation.CheckName("host"u8).IsRight);
        Assert.True(FieldValidation.CheckValue("a\rb"u8).IsLeft);
        Assert.Equal("8.2.2", FieldValidation.CheckRegular(F("connection", "close")).Match(Right: _ => "", Left: m => m.Section));
        var field = F("accept", "*/*");
        Assert.Same(field, FieldValidation.CheckRegular(field).Match(Right: f => f, Left: _ => null!));
    }

    [Fact(DisplayName = "RFC 9113 §6.5.2: Http2Settings.Validate is Left for an initial window above 2^31-1, Right with the settings otherwise")]
    public void SettingsValidate()
    {
        var tooBig = Http2Settings.ServerDefaults with { InitialWindowSize = 1u << 31 };
        Assert.StartsWith("left SETTINGS_INITIAL_WINDOW_SIZE", Left(tooBig.Validate(senderIsServer: true)));
        Assert.Equal(Http2Settings.ServerDefaults, Http2Settings.ServerDefaults.Validate(senderIsServer: true).Match(Right: s => s, Left: _ => Http2Settings.Initial));
    }

    [Fact(DisplayName = "RFC 9110 §15.3.5: NoContentRule names the section for 204 and is None for 200")]
    public void NoContentRule()
    {
        Assert.Equal("RFC 9110 §15.3.5", HttpSemantics.NoContentRule(false, 204).IfNone(""));
        Assert.True(HttpSemantics.NoContentRule(false, 200).IsNone);
    }
}
