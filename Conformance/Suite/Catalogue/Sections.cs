using Conformance.Suite.Model;

namespace Conformance.Suite.Catalogue;

/// <summary>Titles of the sections the catalogue covers (and of their parents), for the report tree.</summary>
public static class Sections
{
    static readonly Dictionary<(string, string), string> titles = new()
    {
        [(SectionId.Http2, "3")] = "Starting HTTP/2",
        [(SectionId.Http2, "3.4")] = "HTTP/2 Connection Preface",
        [(SectionId.Http2, "4")] = "HTTP Frames",
        [(SectionId.Http2, "4.1")] = "Frame Format",
        [(SectionId.Http2, "4.2")] = "Frame Size",
        [(SectionId.Http2, "4.3")] = "Field Section Compression and Decompression",
        [(SectionId.Http2, "5")] = "Streams and Multiplexing",
        [(SectionId.Http2, "5.1")] = "Stream States",
        [(SectionId.Http2, "5.1.1")] = "Stream Identifiers",
        [(SectionId.Http2, "5.1.2")] = "Stream Concurrency",
        [(SectionId.Http2, "5.3")] = "Prioritization",
        [(SectionId.Http2, "5.3.1")] = "Background on Priority in RFC 7540",
        [(SectionId.Http2, "5.4")] = "Error Handling",
        [(SectionId.Http2, "5.4.1")] = "Connection Error Handling",
        [(SectionId.Http2, "5.5")] = "Extending HTTP/2",
        [(SectionId.Http2, "6")] = "Frame Definitions",
        [(SectionId.Http2, "6.1")] = "DATA",
        [(SectionId.Http2, "6.2")] = "HEADERS",
        [(SectionId.Http2, "6.3")] = "PRIORITY",
        [(SectionId.Http2, "6.4")] = "RST_STREAM",
        [(SectionId.Http2, "6.5")] = "SETTINGS",
        [(SectionId.Http2, "6.5.2")] = "Defined Settings",
        [(SectionId.Http2, "6.5.3")] = "Settings Synchronization",
        [(SectionId.Http2, "6.7")] = "PING",
        [(SectionId.Http2, "6.8")] = "GOAWAY",
        [(SectionId.Http2, "6.9")] = "WINDOW_UPDATE",
        [(SectionId.Http2, "6.9.1")] = "The Flow-Control Window",
        [(SectionId.Http2, "6.9.2")] = "Initial Flow-Control Window Size",
        [(SectionId.Http2, "6.10")] = "CONTINUATION",
        [(SectionId.Http2, "7")] = "Error Codes",
        [(SectionId.Http2, "8")] = "Expressing HTTP Semantics in HTTP/2",
        [(SectionId.Http2, "8.1")] = "HTTP Message Framing",
        [(SectionId.Http2, "8.1.1")] = "Malformed Messages",
        [(SectionId.Http2, "8.2")] = "HTTP Fields",
        [(SectionId.Http2, "8.2.1")] = "Field Validity",
        [(SectionId.Http2, "8.2.2")] = "Connection-Specific Header Fields",
        [(SectionId.Http2, "8.3")] = "HTTP Control Data",
        [(SectionId.Http2, "8.3.1")] = "Request Pseudo-Header Fields",
        [(SectionId.Http2, "8.4")] = "Server Push",
        [(SectionId.Http2, "10")] = "Security Considerations",
        [(SectionId.Http2, "10.5")] = "Denial-of-Service Considerations",
        [(SectionId.Hpack, "2")] = "Compression Process Overview",
        [(SectionId.Hpack, "2.3")] = "Indexing Tables",
        [(SectionId.Hpack, "2.3.3")] = "Index Address Space",
        [(SectionId.Hpack, "4")] = "Dynamic Table Management",
        [(SectionId.Hpack, "4.2")] = "Maximum Table Size",
        [(SectionId.Hpack, "5")] = "Primitive Type Representations",
        [(SectionId.Hpack, "5.1")] = "Integer Representation",
        [(SectionId.Hpack, "5.2")] = "String Literal Representation",
        [(SectionId.Hpack, "6")] = "Binary Format",
        [(SectionId.Hpack, "6.1")] = "Indexed Header Field Representation",
        [(SectionId.Hpack, "6.2")] = "Literal Header Field Representation",
        [(SectionId.Hpack, "6.2.1")] = "Literal Header Field with Incremental Indexing",
        [(SectionId.Hpack, "6.2.2")] = "Literal Header Field without Indexing",
        [(SectionId.Hpack, "6.2.3")] = "Literal Header Field Never Indexed",
        [(SectionId.Hpack, "6.3")] = "Dynamic Table Size Update",
    };

    /// <summary>The title of a section of a spec ("" when unknown).</summary>
    public static string Title(string spec, string number) => titles.GetValueOrDefault((spec, number), "");

    public static string SpecTitle(string spec) => spec == SectionId.Http2 ? "RFC 9113 (HTTP/2)" : "RFC 7541 (HPACK)";
}
