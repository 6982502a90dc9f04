using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    // The stream table: lookup, copy on first write, counters, closing, the closed and reset memories.
    private sealed partial class Machine
    {
        // ---- the stream table -------------------------------------------------

        private bool IsPeerInitiated(uint id) => ((id & 1) == 1) == IsServer;

        /// <summary>An id never used yet by its initiator: idle (§5.1.1).</summary>
        private bool IsIdle(uint id) => IsPeerInitiated(id) ? id > S.highestPeerStreamId : id > S.highestLocalStreamId;

        private StreamRecord? Find(uint id) => S.streams.Find(id);

        private bool ownsStreams;

        /// <summary>Copy on first write: the table of the state passed in is never edited.</summary>
        private StreamTable Table()
        {
            if (!ownsStreams) { S.streams = S.streams.Copy(); ownsStreams = true; }
            return S.streams;
        }

        private Option<CloseCause> RecentlyClosed(uint id) => S.RecentlyClosed(id);

        private bool ownsClosed, ownsReset;

        /// <summary>
        /// Remembers a closed stream: those we reset in their own memory, which
        /// normal closes never evict (late frames on them are discarded, §6.4).
        /// </summary>
        private void Remember(uint id, CloseCause cause)
        {
            if (cause == CloseCause.ResetSent)
            {
                if (!ownsReset) { S.reset = S.reset.Copy(); ownsReset = true; }
                S.reset.Add(id, cause);
                return;
            }
            if (!ownsClosed) { S.closed = S.closed.Copy(); ownsClosed = true; }
            S.closed.Add(id, cause);
        }

        private void Count(StreamRecord r, int d)
        {
            if (r.State.IsActive)
            {
                if (IsPeerInitiated(r.Id)) S.activePeerStreams += d;
                else S.activeLocalStreams += d;
            }
            if (r.State is StreamState.ReservedLocal) S.reservedLocalStreams += d;
            if (r.State.PeerMaySend) S.peerSendingStreams += d;
            if (r.HasPendingOutput) S.streamsWithPendingOutput += d;
            if (r.Held.IsSome) S.heldResponses += d;
        }

        /// <summary>
        /// Replaces a stream's record, keeping the counters right; a record
        /// that reached "closed" leaves the table for the closed memory, and
        /// the application hears of it if it knew the stream.
        /// </summary>
        private void Update(StreamRecord? before, StreamRecord after, ErrorCode? closeCode = null)
        {
            if (after.State is StreamState.Closed c)
            {
                Close(before, after.Id, after.Announced, c.Cause, closeCode);
                return;
            }
            if (before is not null) Count(before, -1);
            Table().Set(after);
            Count(after, +1);
        }

        /// <summary>
        /// A live stream reaches "closed" (§5.1): it leaves the table (its
        /// buffered output with it) for the closed memory, and the application
        /// hears of it if it knew the stream.
        /// </summary>
        private void Close(StreamRecord before, CloseCause cause, ErrorCode? closeCode = null) =>
            Close(before, before.Id, false, cause, closeCode);

        private void Close(StreamRecord? before, uint id, bool announced, CloseCause cause, ErrorCode? closeCode)
        {
            if (before is not null) Count(before, -1);
            Table().Remove(id);
            Remember(id, cause);
            if (announced || (before?.Announced ?? false))
                Emit(new StreamClosed(id, closeCode ?? ErrorCode.NoError));
            // A parent that ends without a final header section (reset, say) no longer holds back its pushes.
            ReleaseHeldPushes(id);
        }

        /// <summary>Sends the held header sections of the streams promised on <paramref name="parent"/>, then what they buffered (§8.4).</summary>
        private void ReleaseHeldPushes(uint parent)
        {
            if (S.heldResponses == 0) return;
            foreach (var r in S.streams.Snapshot())
            {
                if (r.PromisedOn != parent || r.Held.Case is not HeldHeaders held) continue;
                SendHeaderBlock(r.Id, held.Fields, held.EndStream);
                var next = r with { Held = None };
                if (held.EndStream)
                    next = next with { State = StreamMachine.Send(r.State, StreamEvent.Data, true, r.Id) is StreamTransition.Moved mv ? mv.Next : r.State };
                Update(r, next.State is StreamState.Closed ? next : Drain(next));
            }
        }

        private StreamRecord NewStream(uint id, StreamState state) => new()
        {
            Id = id,
            State = state,
            SendWindow = S.peerSettings.InitialWindowSize,
            ReceiveWindow = S.localSettings.InitialWindowSize,
            RateStart = now,
        };
    }
}
