using LanguageExt;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

internal sealed partial class Http2Connection
{
    // The last final response head composed on this connection (see ResponseFields).
    private HeaderField[]? composed;
    private HeaderField? composedDate;
    private int composedGiven; // how many of its fields the handler gave

    /// <summary>
    /// The header section of a final response: <c>:status</c>, the handler's
    /// fields, then the <c>date</c> and <c>server</c> fields the core would
    /// append (RFC 9110 §6.6.1, §10.2.4; <see cref="HttpSemantics.PrepareResponse"/>),
    /// so that the core sends the section as given instead of copying it.
    /// A section the core would change otherwise (drop a field, lower a
    /// name, omit content) is left to it, as the handler gave it, so that
    /// it reports what it changed. The last section is kept: a response with
    /// the same status and the same field objects within the same second (a
    /// route that answers with fields it made once) takes it again, no copy.
    /// </summary>
    private HeaderField[] ResponseFields(int status, IReadOnlyList<HeaderField> headers)
    {
        var date = dispatching ? DeferredDate : CurrentDate; // one reading of the clock per batch of deferred responses
        var dateField = date.IsSome ? (HeaderField)date : null;
        if (composed is { } last && ReferenceEquals(dateField, composedDate) && Same(last, status, headers)) return last;
        var fields = new HeaderField[headers.Count + 1];
        fields[0] = StatusField(status);
        for (var i = 0; i < headers.Count; i++) fields[i + 1] = headers[i];
        var prepared = HttpSemantics.PrepareResponse(fields, false, false, date, coreOptions.ServerField);
        if (!prepared.Adjustments.IsEmpty || prepared.Fields is not HeaderField[] ready) return fields;
        (composed, composedDate, composedGiven) = (ready, dateField, headers.Count);
        return ready;
    }

    // The same fields (the same objects: a field is immutable) in the same order, whatever list holds them.
    private bool Same(HeaderField[] last, int status, IReadOnlyList<HeaderField> headers)
    {
        if (headers.Count != composedGiven || !ReferenceEquals(last[0], StatusField(status))) return false;
        for (var i = 0; i < headers.Count; i++)
            if (!ReferenceEquals(last[i + 1], headers[i])) return false;
        return true;
    }
}
