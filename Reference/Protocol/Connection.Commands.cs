using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    private partial struct Machine
    {
        private ProtocolError? Reject(ConnectionCommand command, string reason)
        {
            Emit(new CommandRejected(command, reason));
            return null;
        }

        public ProtocolError? OnSendHeaders(SendHeaders c) => OnSendHeaders(c, null, out _);

        /// <summary>
        /// A header section, and, when <paramref name="last"/> (the command after it) is its
        /// stream's whole remaining body ending the stream and the windows take it at once, that
        /// body too (<paramref name="tookLast"/>): the outputs and the state are those of the two
        /// commands one after the other, but the stream record, which the body's END_STREAM takes
        /// out of the table, is not copied to note that its header section went (a small response
        /// of a batch: one record copy less per request).
        /// </summary>
        public ProtocolError? OnSendHeaders(SendHeaders c, SendData? last, out bool tookLast)
        {
            tookLast = false;
            var id = c.StreamId;
            var rec = Find(id);
            var existing = rec;
            if (rec is null)
            {
                if (IsServer) return Reject(c, $"stream {id} is not open");
                // Client: a new request on the next odd id (§5.1.1).
                if (IsPeerInitiated(id) || !IsIdle(id)) return Reject(c, $"stream {id} is not a new odd stream id above {S.highestLocalStreamId}");
                if (id > L.MaxStreamId) return Reject(c, "stream ids exhausted");
                if (S.goAwayReceived is not null) return Reject(c, "GOAWAY received: no new streams (§6.8)");
                if (S.activeLocalStreams >= S.peerSettings.MaxConcurrentStreams) return Reject(c, "the peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached (§5.1.2)");
                rec = NewStream(id, StreamState.IdleState);
                rec.Announced = true;
                S.highestLocalStreamId = id;
            }
            if (rec.OurHeadersDone) return Reject(c, "the header section was already sent; use SendTrailers");
            // RFC 9110 above §8: HEAD, 1xx, 204 and 304 carry no content; date, server; no connection-specific fields.
            var fields = c.Fields;
            var endStream = c.EndStream;
            var adjustments = LanguageExt.Seq<ResponseAdjustment>.Empty;
            if (IsServer)
            {
                var prepared = HttpSemantics.PrepareResponse(fields, endStream, rec.HeadRequest, c.Date.IsSome ? c.Date : Optional(S.date), S.options.ServerField);
                (fields, endStream, adjustments) = (prepared.Fields, prepared.EndStream, prepared.Adjustments);
            }
            // §8.1.1: an endpoint MUST NOT generate a malformed message; check ours as we check theirs.
            var response = default(ResponseHead);
            Malformed? malformed;
            var valid = IsServer
                ? FieldValidation.CheckResponse(fields, endStream).TryRight(out response, out malformed)
                : FieldValidation.CheckRequest(fields, endStream).TryRight(out _, out malformed);
            if (!valid) return Reject(c, $"malformed header section: {malformed!.Reason} (§{malformed.Section})");
            var informational = IsServer && response.IsInformational;
            if (informational && endStream) return Reject(c, "a 1xx response cannot end the stream (§8.1)");
            if (rec.State is StreamState.ReservedLocal && S.activeLocalStreams >= S.peerSettings.MaxConcurrentStreams)
                return Reject(c, "the peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached (§5.1.2)");
            if (StreamMachine.Send(rec.State, StreamEvent.Headers, endStream, id) is not StreamTransition.Moved mv)
                return Reject(c, $"cannot send HEADERS on a stream in state {rec.State.Name} (§5.1)");
            if (!adjustments.IsEmpty) foreach (var a in adjustments) Emit(new ResponseAdjusted(id, a)); // no enumerator for the usual none
            if (!informational && rec.PromisedOn != 0 && Find(rec.PromisedOn) is { OurHeadersDone: false })
            {
                // §8.4: the client reads the answer to its own request first; this pushed
                // response waits (headers, then any body) until the parent's HEADERS are sent.
                var opened = StreamMachine.Send(rec.State, StreamEvent.Headers, false, id) is StreamTransition.Moved o ? o.Next : rec.State;
                var w = Own(rec);
                (w.State, w.OurHeadersDone, w.Held) = (opened, true, new HeldHeaders(fields, endStream));
                Update(existing, w);
                return null;
            }
            SendHeaderBlock(id, fields, endStream);
            if (last is not null && !informational && !endStream && LastDataCloses(rec, mv.Next, last) is { } cause)
            {
                // What OnSendData's first branch does with the record as it would be now (state mv.Next, header section sent).
                SendAtOnce(id, last.Data, true);
                Close(rec, cause);
                tookLast = true;
                return null;
            }
            var sent = Own(rec);
            if (!informational) (sent.State, sent.OurHeadersDone) = (mv.Next, true);
            Update(existing, sent);
            if (!informational) ReleaseHeldPushes(id);
            return null;
        }

        /// <summary>
        /// How the stream closes when <paramref name="last"/> follows its header section (the record
        /// <paramref name="rec"/>, in state <paramref name="state"/> once the section is sent): when
        /// OnSendData would send it at once in one frame, END_STREAM included, and that closes the
        /// stream (nothing else pending, no pushed response held); null otherwise.
        /// </summary>
        private CloseCause? LastDataCloses(StreamRecord rec, StreamState state, SendData last)
        {
            if (last.StreamId != rec.Id || !last.EndStream || S.heldResponses != 0 || !state.WeMaySend
                || rec.PendingEnd || rec.PendingTrailers is not null || !GoesAtOnce(rec, last.Data.Length, true))
                return null;
            return StreamMachine.Send(state, StreamEvent.Data, true, rec.Id) is StreamTransition.Moved { Next: StreamState.Closed closed } ? closed.Cause : null;
        }

        public ProtocolError? OnSendData(SendData c)
        {
            var id = c.StreamId;
            var rec = Find(id);
            if (rec is null) return Reject(c, $"stream {id} is not open");
            if (!rec.OurHeadersDone) return Reject(c, "DATA before the header section (§8.1)");
            if (!rec.State.WeMaySend || rec.PendingEnd || rec.PendingTrailers is not null || rec.Held is { EndStream: true })
                return Reject(c, $"cannot send DATA on a stream in state {rec.State.Name} or after its end (§5.1)");
            var data = c.Data;
            var len = data.Length;
            var held = rec.Held is not null;
            if (GoesAtOnce(rec, len, c.EndStream))
            {
                SendAtOnce(id, data, c.EndStream);
                var state = c.EndStream && StreamMachine.Send(rec.State, StreamEvent.Data, true, id) is StreamTransition.Moved mv ? mv.Next : rec.State;
                if (state is StreamState.Closed closed) Close(rec, closed.Cause);
                else
                {
                    var w = Own(rec);
                    (w.SendWindow, w.State) = (rec.SendWindow - len, state);
                    Update(rec, w);
                }
                return null;
            }
            // Buffer up to the bound (CVE-2019-9517: never more than MaxStreamSendBuffer per stream), then send what the windows allow.
            var room = Math.Max(0, L.MaxStreamSendBuffer - rec.PendingBytes);
            var direct = rec.PendingBytes == 0 && !held ? (int)Math.Max(0, Math.Min(rec.SendWindow, S.connectionSendWindow)) : 0;
            // long: at the §6.9.1 maximum window (2^31-1) direct + room overflows int.
            var accepted = (int)Math.Min(len, (long)direct + room);
            var all = accepted == len;
            // Appended after what is queued: given to Drain as fresh octets, queued only if the windows leave some.
            var next = Own(rec);
            (next.PendingBytes, next.PendingEnd, next.WriterWaiting) = (rec.PendingBytes + accepted, all && c.EndStream, !all);
            Emit(new DataAccepted(id, accepted));
            Update(rec, Drain(next, fresh: data.Memory[..accepted]));
            return null;
        }

        /// <summary>The hot path: nothing buffered or held, and the whole body fits the windows and one frame.</summary>
        private bool GoesAtOnce(StreamRecord rec, int len, bool endStream) =>
            rec.PendingBytes == 0 && rec.Held is null && (len > 0 || endStream)
            && FlowControl.Sendable(rec.SendWindow, S.connectionSendWindow, S.peerSettings.MaxFrameSize, len) == len;

        /// <summary>A body that <see cref="GoesAtOnce"/>: one DATA frame, the connection's window spent, the octets accepted.</summary>
        private void SendAtOnce(uint id, Bytes data, bool endStream)
        {
            Send(new DataFrame(id, data, endStream));
            S.connectionSendWindow -= data.Length;
            Emit(new DataAccepted(id, data.Length));
        }

        public ProtocolError? OnSendTrailers(SendTrailers c)
        {
            var rec = Find(c.StreamId);
            if (rec is null) return Reject(c, $"stream {c.StreamId} is not open");
            if (!rec.OurHeadersDone) return Reject(c, "trailers before the header section (§8.1)");
            if (!rec.State.WeMaySend || rec.PendingEnd || rec.PendingTrailers is not null || rec.Held is { EndStream: true })
                return Reject(c, $"cannot send trailers on a stream in state {rec.State.Name} or after its end");
            if (!FieldValidation.CheckTrailers(c.Fields).TryRight(out var trailers, out var bad))
                return Reject(c, $"malformed trailers: {bad.Reason} (§{bad.Section})");
            Update(rec, Drain(rec with { Stamp = stamp, PendingTrailers = trailers }));
            return null;
        }

        public ProtocolError? OnResetStream(SendReset c)
        {
            var rec = Find(c.StreamId);
            if (rec is null) return Reject(c, $"stream {c.StreamId} is not open");
            Send(new RstStreamFrame(c.StreamId, c.Code));
            Close(rec, CloseCause.ResetSent, c.Code);
            return null;
        }

        public ProtocolError? OnPushPromise(PromisePush c)
        {
            if (!IsServer) return Reject(c, "only a server pushes (§8.4)");
            if (!S.peerSettings.EnablePush) return Reject(c, "the client disabled push (SETTINGS_ENABLE_PUSH = 0, §8.4)");
            if (S.goAwayReceived is not null) return Reject(c, "GOAWAY received: no new streams (§6.8)");
            var parent = Find(c.ParentStreamId);
            // §8.4: PUSH_PROMISE only on a client stream in "open" or "half-closed (remote)" — a response not yet finished.
            if (parent is null || !IsPeerInitiated(parent.Id) || !parent.State.WeMaySend || parent.PendingEnd || parent.PendingTrailers is not null)
                return Reject(c, $"parent stream {c.ParentStreamId} is not open or has finished its response (§8.4)");
            if (!FieldValidation.CheckRequest(c.RequestFields, true).TryRight(out var promisedHead, out var malformed))
                return Reject(c, "the promised request is malformed: " + malformed.Reason);
            var promised = S.NextLocalStreamId;
            if (promised > L.MaxStreamId) return Reject(c, "stream ids exhausted");
            SendPushPromiseBlock(parent.Id, promised, c.RequestFields);
            S.highestLocalStreamId = promised;
            Update(null, NewStream(promised, StreamState.ReservedLocalState) with { Announced = true, PromisedOn = parent.Id, HeadRequest = promisedHead.IsHead });
            Emit(new PushPromiseSent(parent.Id, promised));
            return null;
        }

        public ProtocolError? OnSendPing(SendPing c)
        {
            Send(new PingFrame(false, c.Opaque));
            return null;
        }

        public ProtocolError? OnGoAway(SendGoAway c)
        {
            if (c.Code != ErrorCode.NoError)
            {
                Shutdown(c.Code, c.DebugData.ToUtf8(), sendGoAway: true);
                return null;
            }
            GracefulGoAway(c.Code, c.DebugData.ToUtf8());
            return null;
        }

        /// <summary>§6.8 graceful shutdown: GOAWAY with the last peer stream we will process; close when the open ones are done.</summary>
        private void GracefulGoAway(ErrorCode code, string debug)
        {
            var last = Math.Min(S.goAwaySent ?? uint.MaxValue, S.highestPeerStreamId);
            Send(new GoAwayFrame(last, code, System.Text.Encoding.UTF8.GetBytes(debug)));
            S.goAwaySent = last;
        }

        public ProtocolError? OnUpdateSettings(UpdateSettings c)
        {
            if (!c.Settings.Validate(senderIsServer: IsServer).TryRight(out var settings, out var why)) return Reject(c, why);
            SendLocalSettings(settings);
            return null;
        }

        public ProtocolError? OnDataConsumed(ConsumeData c) => c.Count <= 0 ? null : ReturnCredit(c.StreamId, c.Count);

        /// <summary>RFC 9110 §6.6.1: the date field of the responses to come (no frame, no event).</summary>
        public ProtocolError? OnSetDate(SetDate c)
        {
            if (!c.Date.Name.Span.SequenceEqual("date"u8)) return Reject(c, "SetDate needs a date field (RFC 9110 §6.6.1)");
            S.date = c.Date;
            return null;
        }

        public ProtocolError? OnFlushed()
        {
            S.queuedControlFrames = 0;
            return null;
        }

        public ProtocolError? OnTransportClosed()
        {
            foreach (var r in Live())
                if (r.Announced) Emit(new StreamClosed(r.Id, ErrorCode.InternalError));
            DropStreams();
            S.phase = ConnectionPhase.Closed;
            return null;
        }

        /// <summary>Time passed: every timeout of <see cref="ConnectionTimeouts"/>, evaluated at <c>now</c>.</summary>
        public ProtocolError? OnTick()
        {
            var T = S.options.Timeouts;
            if (S.phase != ConnectionPhase.Open && now >= S.startedAt + T.Preface)
                return new ConnectionError(ErrorCode.ProtocolError, $"no connection preface and SETTINGS within {T.Preface.TotalSeconds} s", "3.4");
            if (!S.unacknowledged.IsEmpty && now >= S.unacknowledged.Head.SentAt + T.SettingsAck)
                return new ConnectionError(ErrorCode.SettingsTimeout, $"SETTINGS not acknowledged within {T.SettingsAck.TotalSeconds} s", "6.5.3");
            if (S.headerBlock is { } hb && now >= hb.StartedAt + T.HeaderBlock)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"header block not finished within {T.HeaderBlock.TotalSeconds} s", "CVE-2024-27316");
            if (LiveCount == 0 && now >= S.lastActivity + T.Idle)
            {
                Shutdown(ErrorCode.NoError, $"idle for {T.Idle.TotalSeconds} s", sendGoAway: true);
                return null;
            }
            if (S.rateCheckAt is { } at && now >= at)
            {
                S.rateCheckAt = null;
                return CheckBodyRates(T);
            }
            return null;
        }

        /// <summary>
        /// Slowloris on request bodies: after the grace period a stream the peer
        /// is still sending on must have averaged the minimum rate. Time our own
        /// window was closed does not count (the measurement restarts).
        /// </summary>
        private ProtocolError? CheckBodyRates(ConnectionTimeouts T)
        {
            if (T.MinRequestBodyBytesPerSecond <= 0) return null;
            var slow = new List<uint>();
            foreach (var r in Live())
            {
                if (!r.State.PeerMaySend || !r.PeerHeadersDone) continue;
                if (r.ReceiveWindow <= 0 || S.connectionReceiveWindow <= 0)
                {
                    Update(r, r with { Stamp = stamp, RateStart = now, RateBytes = 0 });
                    continue;
                }
                var elapsed = now - r.RateStart;
                if (elapsed > T.RequestBodyGrace && r.RateBytes < T.MinRequestBodyBytesPerSecond * elapsed.TotalSeconds)
                    slow.Add(r.Id);
            }
            foreach (var id in slow)
            {
                Raise(new StreamError(id, ErrorCode.Cancel, $"request body slower than {T.MinRequestBodyBytesPerSecond} octets/s", "10.5"));
                if (S.phase == ConnectionPhase.Closed) break;
            }
            return null;
        }
    }
}
