using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    // What the core sends: SETTINGS, header blocks (HPACK is connection-wide), DATA as the windows allow.
    private partial struct Machine
    {
        // ---- sending ------------------------------------------------------------

        public void SendLocalSettings(Http2Settings settings)
        {
            Send(new SettingsFrame(false, settings.DifferencesFrom(S.advertisedSettings)));
            S.unacknowledged = S.unacknowledged.Add((settings, now));
            S.advertisedSettings = settings;
        }

        /// <summary>HPACK-encodes with the connection's encoder (connection-wide, §4.3): one exact array per block.</summary>
        private byte[] Encode(IReadOnlyList<HeaderField> fields)
        {
            (S.encoder, var block) = HpackEncoder.Encode(S.encoder, fields);
            return block;
        }

        /// <summary>HPACK-encodes a field section (the encoder is connection-wide) and emits HEADERS + CONTINUATION* split at the peer's max frame size (§4.3).</summary>
        private void SendHeaderBlock(uint id, IReadOnlyList<HeaderField> fields, bool endStream)
        {
            var block = Encode(fields);
            if (block.Length <= S.peerSettings.MaxFrameSize) Send(new HeadersFrame(id, block, endStream));
            else foreach (var f in FrameWriter.SplitHeaderBlock(id, block, endStream, None, S.peerSettings.MaxFrameSize)) Send(f);
        }

        private void SendPushPromiseBlock(uint id, uint promised, IReadOnlyList<HeaderField> fields)
        {
            var block = Encode(fields);
            foreach (var f in FrameWriter.SplitPushPromise(id, promised, block, S.peerSettings.MaxFrameSize)) Send(f);
        }

        /// <summary>
        /// Sends what the windows allow of a stream's buffered output, then
        /// END_STREAM or trailers once it is all out; tells a waiting writer
        /// when buffer space frees (backpressure, CVE-2019-9517).
        /// <paramref name="fresh"/> are octets just accepted after everything in
        /// <see cref="StreamRecord.Pending"/> (already counted in
        /// <see cref="StreamRecord.PendingBytes"/>): only what the windows leave
        /// of them is queued, so a body that goes out at once is never put in
        /// the queue and taken out again.
        /// </summary>
        private StreamRecord Drain(StreamRecord r, int maxFrames = int.MaxValue, ReadOnlyMemory<byte> fresh = default)
        {
            if (r.Held is not null)
            {
                // Nothing goes before the held header section.
                if (fresh.IsEmpty) return r;
                var held = Own(r);
                held.Pending = r.Pending.Add(new Bytes(fresh));
                return held;
            }
            var pending = r.Pending;
            var bytes = r.PendingBytes;
            var sw = r.SendWindow;
            var endSent = false;
            var frames = 0;
            var offset = 0; // octets of the first chunk already sent: the queue is rebuilt once, not per frame
            while (bytes > 0 && frames++ < maxFrames)
            {
                var head = pending.IsEmpty ? fresh : pending.Head.Memory;
                var n = FlowControl.Sendable(sw, S.connectionSendWindow, S.peerSettings.MaxFrameSize, head.Length - offset);
                if (n == 0) break;
                var last = n == bytes && r.PendingEnd && r.PendingTrailers is null;
                Send(new DataFrame(r.Id, new Bytes(head.Slice(offset, n)), last));
                endSent |= last;
                offset += n;
                if (offset == head.Length)
                {
                    if (pending.IsEmpty) fresh = default;
                    else pending = pending.Tail;
                    offset = 0;
                }
                bytes -= n;
                sw -= n;
                S.connectionSendWindow -= n;
            }
            if (offset > 0)
            {
                if (pending.IsEmpty) fresh = fresh[offset..];
                else pending = new Bytes(pending.Head.Memory[offset..]).Cons(pending.Tail);
            }
            if (!fresh.IsEmpty) pending = pending.Add(new Bytes(fresh));
            var ends = bytes == 0 && (r.PendingEnd || r.PendingTrailers is not null);
            var state = r.State;
            if (ends)
            {
                if (r.PendingTrailers is { } trailers) SendHeaderBlock(r.Id, trailers, true);
                else if (!endSent) Send(new DataFrame(r.Id, Bytes.Empty, true));
                if (StreamMachine.Send(state, StreamEvent.Data, true, r.Id) is StreamTransition.Moved mv) state = mv.Next;
            }
            var wake = r.WriterWaiting && bytes < L.MaxStreamSendBuffer && state.WeMaySend;
            // Nothing sent, queued or ended (a blocked stream in a round-robin drain): the record stays as it is.
            if (bytes == r.PendingBytes && fresh.IsEmpty && !ends && !wake) return r;
            // Read everything of r above: from here it may be edited in place.
            var next = Own(r);
            (next.Pending, next.PendingBytes, next.SendWindow) = (pending, bytes, sw);
            if (ends) (next.Pending, next.PendingEnd, next.PendingTrailers, next.State) = (default, false, null, state);
            if (wake)
            {
                Emit(new StreamWritable(r.Id));
                next.WriterWaiting = false;
            }
            return next;
        }

        /// <summary>
        /// Drains every stream with buffered output (after a window grew),
        /// round robin: one DATA frame per stream per round, until the windows
        /// or the data run out, each call starting after the stream that
        /// started the last one. A connection window too small for everyone is
        /// so shared among the streams rather than given to the lowest ids.
        /// </summary>
        private void DrainAll()
        {
            if (S.streamsWithPendingOutput == 0) return;
            var ids = System.Array.ConvertAll(Live(), r => r.Id);
            var cursor = S.drainCursor;
            var start = System.Array.FindIndex(ids, id => id > cursor);
            if (start < 0) start = 0;
            S.drainCursor = ids[start];
            bool progress;
            do
            {
                progress = false;
                for (var k = 0; k < ids.Length; k++)
                {
                    var r = Find(ids[(start + k) % ids.Length]);
                    if (r is null || (!r.HasPendingOutput && !r.WriterWaiting)) continue;
                    if (S.connectionSendWindow <= 0 && r.PendingBytes > 0) continue;
                    var (bytesBefore, outputBefore) = (r.PendingBytes, r.HasPendingOutput); // Drain may edit r in place
                    var next = Drain(r, maxFrames: 1);
                    progress |= next.PendingBytes < bytesBefore || next.HasPendingOutput != outputBefore;
                    Update(r, next);
                }
            } while (progress && S.streamsWithPendingOutput > 0);
        }
    }
}
