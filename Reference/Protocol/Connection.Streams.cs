using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    // The stream table: lookup, copy on first write, counters, closing, the closed and reset memories.
    private partial struct Machine
    {
        // ---- the stream table -------------------------------------------------

        private bool IsPeerInitiated(uint id) => ((id & 1) == 1) == IsServer;

        /// <summary>An id never used yet by its initiator: idle (§5.1.1).</summary>
        private bool IsIdle(uint id) => IsPeerInitiated(id) ? id > S.highestPeerStreamId : id > S.highestLocalStreamId;

        // The tables of the state this call started from are never edited: the first
        // edit copies them into builders (streamEdits, closedEdits, resetEdits, declared
        // with the other fields), which Freeze turns into the new state's.

        private StreamRecord? Find(uint id) => streamEdits.Active ? streamEdits.Find(id) : S.streams.Find(id);

        /// <summary>The live streams in id order, as a new array (safe to iterate while editing).</summary>
        private StreamRecord[] Live() => streamEdits.Active ? streamEdits.Snapshot() : S.streams.Snapshot();

        private int LiveCount => streamEdits.Active ? streamEdits.Count : S.streams.Count;

        [System.Diagnostics.CodeAnalysis.UnscopedRef]
        private ref StreamTable.Builder Table()
        {
            if (!streamEdits.Active) streamEdits = S.streams.ToBuilder();
            return ref streamEdits;
        }

        /// <summary>Every stream leaves the table at once (the connection ends).</summary>
        private void DropStreams()
        {
            S.streams = StreamTable.Empty;
            streamEdits = default;
            S.activeLocalStreams = S.activePeerStreams = S.peerSendingStreams = S.reservedLocalStreams = S.streamsWithPendingOutput = S.heldResponses = 0;
        }

        private CloseCause? RecentlyClosed(uint id) =>
            (resetEdits.Active ? resetEdits.Find(id) : S.reset.Find(id)) ?? (closedEdits.Active ? closedEdits.Find(id) : S.closed.Find(id));

        /// <summary>
        /// Remembers a closed stream: those we reset in their own memory, which
        /// normal closes never evict (late frames on them are discarded, §6.4).
        /// </summary>
        private void Remember(uint id, CloseCause cause)
        {
            if (cause == CloseCause.ResetSent)
            {
                if (!resetEdits.Active) resetEdits = S.reset.ToBuilder();
                resetEdits.Add(id, cause);
            }
            else
            {
                if (!closedEdits.Active) closedEdits = S.closed.ToBuilder();
                closedEdits.Add(id, cause);
            }
        }

        /// <summary>The new state: the edited fields and tables, frozen. The builders are of no use afterwards.</summary>
        private ConnectionState Freeze()
        {
            if (streamEdits.Active) S.streams = streamEdits.Freeze();
            if (closedEdits.Active) S.closed = closedEdits.Freeze();
            if (resetEdits.Active) S.reset = resetEdits.Freeze();
            streamEdits = default;
            closedEdits = resetEdits = default;
            S.generation = stamp;
            return next;
        }

        private const byte ActivePeer = 1, ActiveLocal = 2, ReservedLocal = 4, PeerSending = 8, PendingOutput = 16, HeldResponse = 32;

        private byte Counters(StreamRecord r)
        {
            var c = 0;
            if (r.State.IsActive) c |= IsPeerInitiated(r.Id) ? ActivePeer : ActiveLocal;
            if (r.State is StreamState.ReservedLocal) c |= ReservedLocal;
            if (r.State.PeerMaySend) c |= PeerSending;
            if (r.HasPendingOutput) c |= PendingOutput;
            if (r.Held is not null) c |= HeldResponse;
            return (byte)c;
        }

        /// <summary>
        /// Adds a record to the counters (<paramref name="d"/> = +1, as it is now) or takes it out
        /// (-1, as it was counted: a record edited in place has changed since).
        /// </summary>
        private void Count(StreamRecord r, int d)
        {
            var c = r.Counted;
            if (d > 0)
            {
                c = Counters(r);
                // A record of an older state is never written: unchanged, it counts as it did.
                if (c != r.Counted) Mine(r).Counted = c;
            }
            if ((c & ActivePeer) != 0) S.activePeerStreams += d;
            if ((c & ActiveLocal) != 0) S.activeLocalStreams += d;
            if ((c & ReservedLocal) != 0) S.reservedLocalStreams += d;
            if ((c & PeerSending) != 0) S.peerSendingStreams += d;
            if ((c & PendingOutput) != 0) S.streamsWithPendingOutput += d;
            if ((c & HeldResponse) != 0) S.heldResponses += d;
        }

        /// <summary>The record to edit: itself when this call made it, else a copy that this call owns (at most one per stream per call).</summary>
        private StreamRecord Own(StreamRecord r) => r.Stamp == stamp ? r : r with { Stamp = stamp };

        /// <summary>A record this call may write; anything else is a bug (an older state's record would change under it).</summary>
        private StreamRecord Mine(StreamRecord r) =>
            r.Stamp == stamp ? r : throw new InvalidOperationException($"stream {r.Id}: a record of an older state was about to be edited");

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
            // The first stream of an empty table (a connection with one request at a time): a table of one, without a builder.
            if (!streamEdits.Active && S.streams.Count == 0) S.streams = StreamTable.Of(after);
            else Table().Set(after);
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
            // The last stream of the table leaves it: the empty table, without a builder.
            if (!streamEdits.Active && S.streams.Count == 1 && S.streams.Find(id) is not null) S.streams = StreamTable.Empty;
            else Table().Remove(id);
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
            foreach (var r in Live())
            {
                if (r.PromisedOn != parent || r.Held is not { } held) continue;
                SendHeaderBlock(r.Id, held.Fields, held.EndStream);
                var next = r with { Stamp = stamp, Held = null };
                if (held.EndStream)
                    next = next with { State = StreamMachine.Send(r.State, StreamEvent.Data, true, r.Id) is StreamTransition.Moved mv ? mv.Next : r.State };
                Update(r, next.State is StreamState.Closed ? next : Drain(next));
            }
        }

        private StreamRecord NewStream(uint id, StreamState state) => new()
        {
            Id = id,
            Stamp = stamp,
            State = state,
            SendWindow = S.peerSettings.InitialWindowSize,
            ReceiveWindow = S.localSettings.InitialWindowSize,
            RateStart = now,
        };
    }
}
