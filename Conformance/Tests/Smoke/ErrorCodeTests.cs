using Http2.Reference;
using Xunit;

namespace Conformance.Tests.Smoke;

public class ErrorCodeTests
{
    [Fact(DisplayName = "RFC 9113 §7: unknown error codes keep their value")]
    public void UnknownCodesAreOpen() => Assert.Equal("0xff", new ErrorCode(0xff).Name);
}
