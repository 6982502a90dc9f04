using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    private partial struct Machine
    {
        /// <summary>One frame from the peer (§4-§6). Returns the error it causes, if any.</summary>
        public ProtocolError? OnFrame(Frame frame)
        {
            S.lastActivity = now;
            if (S.headerBlock is { } hb)
            {
                // §6.10: "a receiver MUST treat the receipt of any other type of frame or a frame on a different stream as a connection error of type PROTOCOL_ERROR."
                return frame is ContinuationFrame c && c.StreamId == hb.StreamId
                    ? OnContinuation(hb, c)
                    : new ConnectionError(ErrorCode.ProtocolError, $"{frame.Type} on stream {frame.StreamId} inside the header block of stream {hb.StreamId}", "6.10");
            }
            if (S.phase == ConnectionPhase.AwaitingSettings)
            {
                // §3.4: the preface "MUST be followed by a SETTINGS frame"; "the first frame the server sends" is SETTINGS.
                if (frame is not SettingsFrame { Ack: false })
                    return new ConnectionError(ErrorCode.ProtocolError, $"the first frame is {frame.Type}, not SETTINGS", "3.4");
                S.phase = ConnectionPhase.Open;
            }
            return frame switch
            {
                DataFrame f => OnData(f),
                HeadersFrame f => OnHeaders(f),
                PriorityFrame f => OnPriority(f),
                RstStreamFrame f => OnRstStream(f),
                SettingsFrame f => OnSettings(f),
                PushPromiseFrame f => OnPushPromiseFrame(f),
                PingFrame f => OnPing(f),
                GoAwayFrame f => OnGoAwayFrame(f),
                WindowUpdateFrame f => OnWindowUpdate(f),
                ContinuationFrame f => new ConnectionError(ErrorCode.ProtocolError, $"CONTINUATION on stream {f.StreamId} without a header block in progress", "6.10"),
                // §4.1, §5.5: "Implementations MUST ignore and discard frames of unknown types" — but they cost a token.
                UnknownFrame => Churn("unknown frame types"),
                _ => null,
            };
        }

        // ---- DATA (§6.1) ----------------------------------------------------------

        private ProtocolError? OnData(DataFrame f)
        {
            var id = f.StreamId;
            var rec = Find(id);
            if (rec is null && IsIdle(id))
                return new ConnectionError(ErrorCode.ProtocolError, $"DATA on idle stream {id}", "5.1");
            var len = f.FlowControlledLength;
            // §6.9: the connection window counts every DATA frame, whatever happens to its stream.
            if (len > S.connectionReceiveWindow)
                return new ConnectionError(ErrorCode.FlowControlError, "DATA beyond the connection flow-control window", "6.9.1");
            S.connectionReceiveWindow -= len;
            if (rec is null)
            {
                var e = ReturnConnectionCredit(len);
                if (e is not null) return e;
                // A stream closed so long ago that it is forgotten (§6.1: DATA on a stream not "open" or "half-closed (local)"
                // is a stream error STREAM_CLOSED): the stream is reset, the connection lives; the reset costs a token.
                return RecentlyClosed(id) is { } cause
                    ? (StreamMachine.Receive(StreamState.ClosedBy(cause), StreamEvent.Data, f.EndStream, id) as StreamTransition.Failed)?.Error
                    : new StreamError(id, ErrorCode.StreamClosed, $"DATA on closed stream {id}", "6.1");
            }
            var t = StreamMachine.Receive(rec.State, StreamEvent.Data, f.EndStream, id);
            if (t is not StreamTransition.Moved mv)
                return ReturnConnectionCredit(len) ?? (t as StreamTransition.Failed)?.Error;
            if (!rec.PeerHeadersDone)
                return ReturnConnectionCredit(len) ?? new StreamError(id, ErrorCode.ProtocolError, "DATA before the final header section", "8.1");
            if (len > rec.ReceiveWindow)
                return ReturnConnectionCredit(len) ?? new StreamError(id, ErrorCode.FlowControlError, "DATA beyond the stream flow-control window", "6.9.1");
            var received = rec.ReceivedLength + f.Data.Length;
            if (rec.ExpectedLength is { } expected && (received > expected || (f.EndStream && received != expected)))
                return ReturnConnectionCredit(len) ?? new StreamError(id, ErrorCode.ProtocolError, "malformed: DATA does not match content-length", "8.1.1");
            if (len == 0 && !f.EndStream)
            {
                var e = Churn("empty DATA frames");
                if (e is not null) return e;
            }
            var w = Own(rec);
            (w.State, w.ReceiveWindow, w.ReceivedLength, w.RateBytes) = (mv.Next, rec.ReceiveWindow - len, received, rec.RateBytes + f.Data.Length);
            Update(rec, w);
            Emit(new DataReceived(id, f.Data, f.EndStream));
            // Padding is consumed at once: its credit goes back without waiting for the application.
            var padding = len - f.Data.Length;
            return padding > 0 ? ReturnCredit(id, padding) : null;
        }

        /// <summary>Returns consumed octets to the peer's connection window, batched (<see cref="FlowControl.CreditToSend"/>).</summary>
        private ProtocolError? ReturnConnectionCredit(int n)
        {
            var (send, pending) = FlowControl.CreditToSend(S.connectionUnreturnedCredit, n, L.ConnectionReceiveWindow);
            S.connectionUnreturnedCredit = pending;
            if (send == 0) return null;
            S.connectionReceiveWindow += send;
            return Control(new WindowUpdateFrame(0, (uint)send));
        }

        /// <summary>Returns consumed octets of one stream to both windows.</summary>
        private ProtocolError? ReturnCredit(uint id, int n)
        {
            var e = ReturnConnectionCredit(n);
            if (e is not null) return e;
            var rec = Find(id);
            // No stream window to reopen once the peer has ended its side.
            if (rec is null || !rec.State.PeerMaySend) return null;
            var (send, pending) = FlowControl.CreditToSend(rec.UnreturnedCredit, n, (int)S.localSettings.InitialWindowSize);
            var w = Own(rec);
            (w.UnreturnedCredit, w.ReceiveWindow) = (pending, rec.ReceiveWindow + send);
            Update(rec, w);
            return send == 0 ? null : Control(new WindowUpdateFrame(id, (uint)send));
        }

        // ---- PRIORITY (§6.3, §5.3) --------------------------------------------------

        private ProtocolError? OnPriority(PriorityFrame f)
        {
            var e = Churn("PRIORITY frames");
            if (e is not null) return e;
            // §5.3.1: a stream depending on itself is a stream PROTOCOL_ERROR; otherwise priority signals are ignored (§5.3.2).
            return f.Priority.DependsOn == f.StreamId
                ? new StreamError(f.StreamId, ErrorCode.ProtocolError, "stream depends on itself", "5.3.1")
                : null;
        }

        // ---- RST_STREAM (§6.4) ----------------------------------------------------------

        private ProtocolError? OnRstStream(RstStreamFrame f)
        {
            var id = f.StreamId;
            var rec = Find(id);
            // §6.4: "If a RST_STREAM frame identifying an idle stream is received, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR."
            if (rec is null && IsIdle(id))
                return new ConnectionError(ErrorCode.ProtocolError, $"RST_STREAM on idle stream {id}", "6.4");
            // Rapid reset (CVE-2023-44487): every reset costs a token.
            var e = TakeReset();
            if (e is not null) return e;
            if (rec is null) return null;
            Close(rec, CloseCause.ResetReceived, f.Error);
            return null;
        }

        // ---- SETTINGS (§6.5) ----------------------------------------------------------------

        private ProtocolError? OnSettings(SettingsFrame f)
        {
            if (f.Ack)
            {
                // An ACK for nothing we sent does no work: it costs a churn token.
                if (S.unacknowledged.IsEmpty) return Churn("unsolicited SETTINGS ACK frames");
                var (settings, _) = S.unacknowledged.Head;
                S.unacknowledged = S.unacknowledged.Tail;
                ApplyLocal(settings);
                Emit(new SettingsAcknowledged(settings));
                return null;
            }
            if (f.Settings.Count > L.MaxSettingsEntries)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"SETTINGS with more than {L.MaxSettingsEntries} entries", "CVE-2020-11080");
            var churn = Churn("SETTINGS frames");
            if (churn is not null) return churn;
            // Not a method group: this is a struct, and a delegate would act on a copy of it.
            return S.peerSettings.Apply(f.Settings, receiverIsClient: !IsServer).TryRight(out var applied, out var error) ? ApplyPeer(applied) : error;
        }

        /// <summary>The peer's SETTINGS, valid: in force at once, and acknowledged (§6.5.3).</summary>
        private ProtocolError? ApplyPeer(Http2Settings next)
        {
            var old = S.peerSettings;
            var delta = (long)next.InitialWindowSize - old.InitialWindowSize;
            if (delta != 0)
            {
                // §6.9.2: adjust every stream window by the difference; it may go negative, but beyond 2^31-1 is a connection FLOW_CONTROL_ERROR.
                foreach (var r in Live())
                    if (r.SendWindow + delta > FlowControl.MaxWindow)
                        return new ConnectionError(ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE change takes a window beyond 2^31-1", "6.9.2");
                foreach (var r in Live())
                    Update(r, r with { Stamp = stamp, SendWindow = r.SendWindow + delta });
            }
            if (next.HeaderTableSize != old.HeaderTableSize)
                S.encoder = S.encoder.WithTableSize((int)Math.Min(next.HeaderTableSize, (uint)S.options.EncoderTableCap));
            S.peerSettings = next;
            // §6.5.3: "Upon receiving the SETTINGS frame, the recipient MUST ... send a SETTINGS frame with the ACK flag."
            var e = Control(SettingsFrame.Acknowledgement);
            if (e is not null) return e;
            Emit(new PeerSettingsReceived(next));
            DrainAll();
            return null;
        }

        /// <summary>Our SETTINGS were acknowledged: they take effect now (§6.5.3).</summary>
        private void ApplyLocal(Http2Settings settings)
        {
            var old = S.localSettings;
            if (settings.HeaderTableSize != old.HeaderTableSize)
                S.decoder = S.decoder.WithSettingsTableSize((int)Math.Min(settings.HeaderTableSize, int.MaxValue));
            var delta = (long)settings.InitialWindowSize - old.InitialWindowSize;
            if (delta != 0)
                foreach (var r in Live())
                    Update(r, r with { Stamp = stamp, ReceiveWindow = r.ReceiveWindow + delta });
            S.localSettings = settings;
        }

        // ---- PING, GOAWAY, WINDOW_UPDATE (§6.7, §6.8, §6.9) -----------------------------------

        private ProtocolError? OnPing(PingFrame f)
        {
            if (f.Ack)
            {
                // PING ACKs are answers to our rare PINGs; a flood of them costs churn tokens.
                var ce = Churn("PING ACK frames");
                if (ce is not null) return ce;
                Emit(new PingAnswered(f.Opaque));
                return null;
            }
            // Ping flood (CVE-2019-9512): each PING costs a churn token and a queued answer.
            var e = Churn("PING frames");
            if (e is not null) return e;
            // §6.7: "Receivers of a PING frame that does not include an ACK flag MUST send a PING frame with the ACK flag set in response, with an identical frame payload."
            return Control(new PingFrame(true, f.Opaque));
        }

        private ProtocolError? OnGoAwayFrame(GoAwayFrame f)
        {
            if (S.goAwayReceived is not null)
            {
                var ce = Churn("repeated GOAWAY frames");
                if (ce is not null) return ce;
            }
            S.goAwayReceived = Math.Min(S.goAwayReceived ?? uint.MaxValue, f.LastStreamId);
            Emit(new GoAwayReceived(f.LastStreamId, f.Error, f.DebugData));
            // §6.8: streams we initiated above the last id were not processed; they may be retried elsewhere.
            foreach (var r in Live()) // a snapshot: safe to close streams while walking it
                if (!IsPeerInitiated(r.Id) && r.Id > f.LastStreamId) Close(r, CloseCause.ResetReceived, ErrorCode.RefusedStream);
            return null;
        }

        private ProtocolError? OnWindowUpdate(WindowUpdateFrame f)
        {
            var id = f.StreamId;
            if (id == 0)
            {
                // §6.9: an increment of 0 "MUST" be an error; on the connection window a connection error.
                if (f.Increment == 0) return new ConnectionError(ErrorCode.ProtocolError, "WINDOW_UPDATE with increment 0 on the connection", "6.9");
                if (!FlowControl.TryIncrease(S.connectionSendWindow, f.Increment, out var w))
                    return new ConnectionError(ErrorCode.FlowControlError, "connection window beyond 2^31-1", "6.9.1");
                var blocked = S.streamsWithPendingOutput > 0 && S.connectionSendWindow <= 0;
                S.connectionSendWindow = w;
                if (!blocked && S.streamsWithPendingOutput == 0)
                {
                    var e = Churn("WINDOW_UPDATE frames that unblock nothing");
                    if (e is not null) return e;
                }
                DrainAll();
                return null;
            }
            var rec = Find(id);
            if (rec is null)
            {
                if (IsIdle(id)) return new ConnectionError(ErrorCode.ProtocolError, $"WINDOW_UPDATE on idle stream {id}", "5.1");
                var ce = Churn("WINDOW_UPDATE frames on closed streams");
                if (ce is not null) return ce;
                return RecentlyClosed(id) is { } cause
                    ? (StreamMachine.Receive(StreamState.ClosedBy(cause), StreamEvent.WindowUpdate, false, id) as StreamTransition.Failed)?.Error
                    : null;
            }
            var t = StreamMachine.Receive(rec.State, StreamEvent.WindowUpdate, false, id);
            if (t is StreamTransition.Failed fail) return fail.Error;
            if (f.Increment == 0) return new StreamError(id, ErrorCode.ProtocolError, "WINDOW_UPDATE with increment 0", "6.9");
            if (!FlowControl.TryIncrease(rec.SendWindow, f.Increment, out var sw))
                return new StreamError(id, ErrorCode.FlowControlError, "stream window beyond 2^31-1", "6.9.1");
            if (!rec.HasPendingOutput)
            {
                var e = Churn("WINDOW_UPDATE frames that unblock nothing");
                if (e is not null) return e;
            }
            var next = Own(rec);
            next.SendWindow = sw;
            Update(rec, rec.HasPendingOutput ? Drain(next) : next);
            return null;
        }
    }
}
