namespace Http2.Reference.Frames;

/// <summary>
/// A SETTINGS parameter identifier (RFC 9113 §6.5.2). Open: "An endpoint
/// that receives a SETTINGS frame with any unknown or unsupported identifier
/// MUST ignore that setting" (§6.5.2), and such ids survive a round trip.
/// </summary>
public readonly record struct SettingId(ushort Value)
{
    /// <summary>0x01 SETTINGS_HEADER_TABLE_SIZE, initial 4096.</summary>
    public static readonly SettingId HeaderTableSize = new(0x1);
    /// <summary>0x02 SETTINGS_ENABLE_PUSH, initial 1.</summary>
    public static readonly SettingId EnablePush = new(0x2);
    /// <summary>0x03 SETTINGS_MAX_CONCURRENT_STREAMS, initially unlimited.</summary>
    public static readonly SettingId MaxConcurrentStreams = new(0x3);
    /// <summary>0x04 SETTINGS_INITIAL_WINDOW_SIZE, initial 65535.</summary>
    public static readonly SettingId InitialWindowSize = new(0x4);
    /// <summary>0x05 SETTINGS_MAX_FRAME_SIZE, initial 16384.</summary>
    public static readonly SettingId MaxFrameSize = new(0x5);
    /// <summary>0x06 SETTINGS_MAX_HEADER_LIST_SIZE, initially unlimited.</summary>
    public static readonly SettingId MaxHeaderListSize = new(0x6);

    /// <summary>The RFC name, or the hex value of an unknown id.</summary>
    public string Name => Value switch
    {
        0x1 => "SETTINGS_HEADER_TABLE_SIZE",
        0x2 => "SETTINGS_ENABLE_PUSH",
        0x3 => "SETTINGS_MAX_CONCURRENT_STREAMS",
        0x4 => "SETTINGS_INITIAL_WINDOW_SIZE",
        0x5 => "SETTINGS_MAX_FRAME_SIZE",
        0x6 => "SETTINGS_MAX_HEADER_LIST_SIZE",
        _ => $"0x{Value:x4}",
    };

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>One identifier/value pair of a SETTINGS frame (RFC 9113 §6.5.1).</summary>
public readonly record struct Setting(SettingId Id, uint Value);
