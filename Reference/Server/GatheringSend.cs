using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Http2.Reference.Server;

/// <summary>
/// A batch's segments handed to the kernel in one <c>sendmsg(2)</c> on Linux,
/// each distinct array pinned once. .NET's own gathering send
/// (<see cref="Socket.SendAsync(IList{ArraySegment{byte}}, SocketFlags)"/>)
/// pins every segment with a <see cref="GCHandle"/> of its own and allocates
/// its <c>iovec</c> and handle arrays for every call of more than 8 segments;
/// a batch of 64 KiB responses is ~33 segments over two or three arrays (the
/// frame headers in the output buffer between the body's payloads), and that
/// bookkeeping was a tenth of the server's user time. The send never blocks
/// (<c>MSG_DONTWAIT</c>): what the socket does not take at once is left to the
/// caller, who waits for room with the socket's own asynchronous send.
/// Elsewhere (<see cref="Enabled"/> false) the caller uses that send alone.
/// </summary>
internal static class GatheringSend
{
    /// <summary>Segments per call, at most (Linux's <c>IOV_MAX</c> is 1024); more are sent by further calls.</summary>
    internal const int MaxSegments = 128;

    private const int MsgDontWait = 0x40, MsgNoSignal = 0x4000; // Linux's values
    private const int EAgain = 11, EIntr = 4;

    /// <summary>Whether this platform sends directly (64-bit Linux, where <c>msghdr</c> and <c>iovec</c> have the layout below, and libc answered).</summary>
    public static bool Enabled { get; private set; } = OperatingSystem.IsLinux() && IntPtr.Size == 8;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [DllImport("libc.so.6", EntryPoint = "sendmsg", SetLastError = true)]
    private static extern nint SendMsg(nint fd, ref MsgHdr message, int flags);

    /// <summary>The <c>iovec</c>s of a call: on the pinned-object heap (never moved), one array per thread (a send runs on its caller's thread and does not yield).</summary>
    [ThreadStatic] private static IoVec[]? vectors;

    [ThreadStatic] private static List<(byte[] Array, GCHandle Pin, nint Address)>? pins;

    /// <summary>
    /// Sends <paramref name="segments"/> until the socket would block, dropping
    /// from the list what it sent (<see cref="Drop"/>: what is left is the rest);
    /// returns the octets sent. Throws <see cref="IOException"/> when the socket
    /// fails, and <see cref="ObjectDisposedException"/> once it is closed.
    /// </summary>
    public static long Send(Socket socket, List<ArraySegment<byte>> segments)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = handle.DangerousGetHandle();
            var sent = 0L;
            while (segments.Count > 0)
            {
                var n = SendSome(fd, segments);
                if (n < 0) return sent; // would block: the rest waits for room
                sent += n;
                Drop(segments, n); // after a partial send the next call says whether there is more room
                if (n == 0 && segments.Count > 0) return sent; // nothing taken, yet no EAGAIN: never spin
            }
            return sent;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Enabled = false; // a libc without this entry point (or not glibc's name): the socket's own send from now on
            return 0;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Drops the first <paramref name="sent"/> octets of <paramref name="segments"/> (at most all of them), and the empty segments before the rest.</summary>
    public static void Drop(List<ArraySegment<byte>> segments, long sent)
    {
        var whole = 0;
        while (whole < segments.Count && sent >= segments[whole].Count)
        {
            sent -= segments[whole].Count;
            whole++;
        }
        segments.RemoveRange(0, whole);
        if (sent > 0) segments[0] = segments[0][(int)sent..];
    }

    /// <summary>One <c>sendmsg</c> of up to <see cref="MaxSegments"/> segments from the first: the octets sent, -1 when it would block.</summary>
    private static long SendSome(nint fd, List<ArraySegment<byte>> segments)
    {
        var iov = vectors ??= GC.AllocateArray<IoVec>(MaxSegments, pinned: true);
        var pinned = pins ??= new();
        var all = CollectionsMarshal.AsSpan(segments);
        try
        {
            var used = 0;
            for (var i = 0; i < all.Length && used < MaxSegments; i++)
            {
                var s = all[i];
                if (s.Count == 0) continue;
                iov[used++] = new IoVec { Base = Address(pinned, s.Array!) + s.Offset, Length = (nuint)s.Count };
            }
            var message = new MsgHdr { Iov = Marshal.UnsafeAddrOfPinnedArrayElement(iov, 0), IovLength = (nuint)used };
            while (true)
            {
                var n = SendMsg(fd, ref message, MsgDontWait | MsgNoSignal);
                if (n >= 0) return n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno == EAgain) return -1;
                throw new IOException($"sendmsg: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        finally
        {
            foreach (var (_, pin, _) in pinned) pin.Free();
            pinned.Clear();
        }
    }

    /// <summary>The address of <paramref name="array"/>'s first octet, pinned until the call ends: once per distinct array.</summary>
    private static nint Address(List<(byte[] Array, GCHandle Pin, nint Address)> pinned, byte[] array)
    {
        for (var i = pinned.Count - 1; i >= 0; i--)
            if (ReferenceEquals(pinned[i].Array, array)) return pinned[i].Address;
        var pin = GCHandle.Alloc(array, GCHandleType.Pinned);
        var address = pin.AddrOfPinnedObject();
        pinned.Add((array, pin, address));
        return address;
    }
}
