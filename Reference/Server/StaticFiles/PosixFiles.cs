using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Http2.Reference.Server;

/// <summary>
/// What tells one version of a file from another: the device and inode (which
/// file), its size, and its modification and status-change times to the
/// nanosecond (a write changes both; a rename, a new link or a chmod changes
/// the status-change time).
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds, long ChangedSeconds, uint ChangedNanoseconds)
{
    /// <summary>The later of the modification and status-change times, in Unix nanoseconds.</summary>
    public long LastChangeNanoseconds => Math.Max(ModifiedSeconds * 1_000_000_000L + ModifiedNanoseconds, ChangedSeconds * 1_000_000_000L + ChangedNanoseconds);
}

/// <summary>
/// The few Linux calls the static file cache needs and .NET does not expose:
/// <c>statx</c> (for the inode and nanosecond times) and a plain <c>open</c>
/// (which, unlike <see cref="FileStream"/>, takes no advisory lock, so a file
/// held open by the cache never blocks a writer).
/// </summary>
internal static class PosixFiles
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ORdOnly = 0, OCloExec = 0x80000;
    private const ushort TypeMask = 0xF000, RegularFile = 0x8000;
    private static readonly byte[] Empty = [0];

    /// <summary>True when the calls work here (Linux with a C library that has <c>statx</c>); checked once.</summary>
    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return Statx(AtFdCwd, Zero("/"), 0, StatxBasicStats, out _) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary><paramref name="path"/> as the NUL-terminated UTF-8 octets the calls take.</summary>
    public static byte[] Zero(string path)
    {
        var octets = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, octets);
        return octets;
    }

    /// <summary>The identity of the regular file <paramref name="path"/> names (links followed), or null (missing, not a regular file, no access).</summary>
    public static FileIdentity? OfPath(byte[] path) =>
        Statx(AtFdCwd, path, 0, StatxBasicStats, out var s) == 0 ? Identity(s) : null;

    /// <summary>The identity of the open regular file <paramref name="handle"/>, or null.</summary>
    public static FileIdentity? OfHandle(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Statx((int)handle.DangerousGetHandle(), Empty, AtEmptyPath, StatxBasicStats, out var s) == 0 ? Identity(s) : null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading (no advisory lock, closed on exec), or null.</summary>
    public static SafeFileHandle? Open(byte[] path)
    {
        var fd = OpenFile(path, ORdOnly | OCloExec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private static FileIdentity? Identity(in StatxBuffer s) =>
        (s.Mode & TypeMask) != RegularFile ? null
        : new FileIdentity(((ulong)s.DevMajor << 32) | s.DevMinor, s.Inode, (long)s.Size,
            s.Mtime.Seconds, s.Mtime.Nanoseconds, s.Ctime.Seconds, s.Ctime.Nanoseconds);

    [DllImport("libc", EntryPoint = "statx")]
    private static extern int Statx(int dirfd, byte[] path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", EntryPoint = "open")]
    private static extern int OpenFile(byte[] path, int flags);

    /// <summary>struct statx_timestamp (linux/stat.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
    }

    /// <summary>struct statx (linux/stat.h): the same layout on every architecture, 256 octets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public Timestamp Ctime;
        [FieldOffset(112)] public Timestamp Mtime;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
