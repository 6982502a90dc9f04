using LanguageExt;
using Reference.Frames;
using Reference.Hpack;
using static LanguageExt.Prelude;

namespace Reference.Protocol;

public static partial class Connection
{
    private sealed partial class Machine
    {
        /// <summary>One frame from the peer (§4-§6). Returns the error it causes, if any.</summary>
        public ProtocolError? OnFrame(Frame frame)
        {
            S.lastActivity = now;
            if (S.headerBlock.Case is HeaderBlockInProgress hb)
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
                return RecentlyClosed(id).Case is CloseCause cause
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
            if (rec.ExpectedLength.Case is long expected && (received > expected || (f.EndStream && received != expected)))
                return ReturnConnectionCredit(len) ?? new StreamError(id, ErrorCode.ProtocolError, "malformed: DATA does not match content-length", "8.1.1");
            if (len == 0 && !f.EndStream)
            {
                var e = Churn("empty DATA frames");
                if (e is not null) return e;
            }
            Update(rec, rec with
            {
                State = mv.Next,
                ReceiveWindow = rec.ReceiveWindow - len,
                ReceivedLength = received,
                RateBytes = rec.RateBytes + f.Data.Length,
            });
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
            Update(rec, rec with { UnreturnedCredit = pending, ReceiveWindow = rec.ReceiveWindow + send });
            return send == 0 ? null : Control(new WindowUpdateFrame(id, (uint)send));
        }

        // ---- HEADERS, CONTINUATION (§6.2, §6.10, §4.3) -------------------------------

        private ProtocolError? OnHeaders(HeadersFrame f)
        {
            var id = f.StreamId;
            var deferred = Option<StreamError>.None;
            // §5.3.1: "A stream cannot depend on itself. An endpoint MUST treat this as a stream error of type PROTOCOL_ERROR."
            if (f.Priority.Case is PriorityFields p && p.DependsOn == id)
                deferred = new StreamError(id, ErrorCode.ProtocolError, "stream depends on itself", "5.3.1");
            var rec = Find(id);
            if (rec is null)
            {
                if (!IsPeerInitiated(id))
                    return new ConnectionError(ErrorCode.ProtocolError,
                        IsServer ? $"HEADERS from the client on even stream {id}" : $"HEADERS on stream {id} the client never opened", "5.1.1");
                if (!IsServer)
                    return new ConnectionError(ErrorCode.ProtocolError, $"a server opened stream {id} with HEADERS", "8.4");
                if (!IsIdle(id))
                {
                    // §5.1.1: "The identifier of a newly established stream MUST be numerically greater than all streams that the initiating endpoint has opened or reserved."
                    if (RecentlyClosed(id).Case is not CloseCause cause)
                        return new ConnectionError(ErrorCode.ProtocolError, $"HEADERS on stream {id}, not above {S.highestPeerStreamId}", "5.1.1");
                    if (StreamMachine.Receive(StreamState.ClosedBy(cause), StreamEvent.Headers, f.EndStream, id) is StreamTransition.Failed { Error: var err })
                    {
                        if (err is ConnectionError) return err;
                        deferred = (StreamError)err;
                    }
                }
            }
            else if (StreamMachine.Receive(rec.State, StreamEvent.Headers, f.EndStream, id) is StreamTransition.Failed { Error: var err })
            {
                if (err is ConnectionError) return err;
                deferred = deferred.IsSome ? deferred : (StreamError)err;
            }
            return StartBlock(id, false, 0, f.EndStream, f.EndHeaders, f.Fragment, deferred);
        }

        private ProtocolError? StartBlock(uint id, bool push, uint promised, bool endStream, bool endHeaders, Bytes fragment, Option<StreamError> deferred)
        {
            if (fragment.Length > L.MaxHeaderBlockBytes)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"header block over {L.MaxHeaderBlockBytes} octets", "CVE-2024-27316");
            if (endHeaders)
            {
                var whole = HpackDecoder.Decode(S.decoder, fragment.Span, DecoderLimits());
                return whole.Case is DecodedBlock d ? Decoded(id, push, promised, endStream, d, deferred) : CompressionError(whole.Case);
            }
            if (fragment.IsEmpty)
            {
                var e = Churn("empty header block fragments");
                if (e is not null) return e;
            }
            // §4.3: the fragment is decoded now (it aliases the caller's buffer, which is reused once this call returns);
            // only an incomplete representation at its end is held, bounded by the limits.
            var started = HpackDecoder.Continue(HpackDecoder.Begin(S.decoder), fragment.Span, DecoderLimits());
            if (started.Case is not HeaderBlockProgress progress) return CompressionError(started.Case);
            S.headerBlock = new HeaderBlockInProgress(id, push, promised, endStream, progress, fragment.Length, 0, now, deferred);
            return null;
        }

        private ProtocolError? OnContinuation(HeaderBlockInProgress hb, ContinuationFrame c)
        {
            // CVE-2024-27316, CVE-2024-28182, CVE-2023-45288: bound the frames and the octets of one block, empty frames included.
            if (hb.Continuations + 1 > L.MaxContinuationFrames)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"more than {L.MaxContinuationFrames} CONTINUATION frames in one header block", "CVE-2024-27316");
            var length = hb.Length + c.Fragment.Length;
            if (length > L.MaxHeaderBlockBytes)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"header block over {L.MaxHeaderBlockBytes} octets", "CVE-2024-27316");
            if (c.Fragment.IsEmpty && !c.EndHeaders)
            {
                var e = Churn("empty CONTINUATION frames");
                if (e is not null) return e;
            }
            if (!c.EndHeaders)
            {
                var more = HpackDecoder.Continue(hb.Decoding, c.Fragment.Span, DecoderLimits());
                if (more.Case is not HeaderBlockProgress progress) return CompressionError(more.Case);
                S.headerBlock = hb with { Decoding = progress, Length = length, Continuations = hb.Continuations + 1 };
                return null;
            }
            S.headerBlock = None;
            var done = HpackDecoder.End(hb.Decoding, c.Fragment.Span, DecoderLimits());
            return done.Case is DecodedBlock d ? Decoded(hb.StreamId, hb.IsPushPromise, hb.PromisedStreamId, hb.EndStream, d, hb.Deferred) : CompressionError(done.Case);
        }

        /// <summary>
        /// The limits of the last block decoded, reused while the settings are the same (an
        /// immutable value, shared by every connection: one allocation less per request).
        /// </summary>
        private static DecoderLimits? lastDecoderLimits;

        private DecoderLimits DecoderLimits()
        {
            var listLimit = (int)Math.Min(int.MaxValue, S.advertisedSettings.MaxHeaderListSize);
            const int stringLimit = 128 * 1024;
            var limits = lastDecoderLimits;
            if (limits is null || limits.MaxHeaderListSize != listLimit || limits.MaxFieldCount != L.MaxHeaderFields || limits.MaxStringLength != stringLimit)
                lastDecoderLimits = limits = new DecoderLimits(listLimit, L.MaxHeaderFields, stringLimit);
            return limits;
        }

        // §4.3: "A decoding error in a field block MUST be treated as a connection error of type COMPRESSION_ERROR."
        private static ConnectionError CompressionError(object? error) =>
            new(ErrorCode.CompressionError, error?.ToString() ?? "HPACK decoding failed", "4.3");

        /// <summary>
        /// A whole header block was decoded. It is ALWAYS decoded — the HPACK
        /// context is connection-wide (§4.3; Kestrel's rule), even when the
        /// stream is about to be refused or reset, or its list is over the
        /// limit (then 431 on that stream, §8.2, §10.5.1).
        /// </summary>
        private ProtocolError? Decoded(uint id, bool push, uint promised, bool endStream, DecodedBlock d, Option<StreamError> deferred)
        {
            S.decoder = d.State;
            if (deferred.Case is StreamError se) return se;
            if (push) return CompletePushPromise(id, promised, d);
            var rec = Find(id);
            if (rec is not null) return HeadersOnStream(rec, endStream, d);
            if (!IsIdle(id)) return null; // a closed stream whose frames we ignore (§5.1 "closed", after our RST_STREAM)
            return NewPeerStream(id, endStream, d);
        }

        private ProtocolError? NewPeerStream(uint id, bool endStream, DecodedBlock d)
        {
            S.highestPeerStreamId = id;
            // §6.8: after our GOAWAY, streams above its last id are ignored (the block was decoded).
            if (S.goAwaySent.Case is uint last && id > last) { Remember(id, CloseCause.ResetSent); return Churn("HEADERS after our GOAWAY"); }
            if (d.ListSizeExceeded) return RejectTooLarge(id, endStream);
            // §5.1.2: over our SETTINGS_MAX_CONCURRENT_STREAMS: "MUST treat this as a stream error of type PROTOCOL_ERROR or REFUSED_STREAM".
            if (S.activePeerStreams >= S.advertisedSettings.MaxConcurrentStreams)
                return new StreamError(id, ErrorCode.RefusedStream, $"over SETTINGS_MAX_CONCURRENT_STREAMS ({S.advertisedSettings.MaxConcurrentStreams})", "5.1.2");
            if (FieldValidation.RequestError(d.Fields, endStream, out var head) is { } malformed) return malformed.ToStreamError(id);
            var rec = new StreamRecord
            {
                Id = id,
                State = endStream ? StreamState.HalfClosedRemoteState : StreamState.OpenState,
                SendWindow = S.peerSettings.InitialWindowSize,
                ReceiveWindow = S.localSettings.InitialWindowSize,
                RateStart = now,
                ExpectedLength = head.ContentLength,
                PeerHeadersDone = true,
                Announced = true,
                HeadRequest = head.IsHead,
            };
            Update(null, rec);
            Emit(new HeadersReceived(id, head.Cookies >= 2 ? FieldValidation.JoinCookies(d.Fields) : d.Fields, endStream));
            // §5.1.1: a connection that runs out of stream ids is closed gracefully.
            if (id >= L.MaxStreamId - 1 && S.goAwaySent.IsNone) GracefulGoAway(ErrorCode.NoError, "stream ids exhausted");
            return null;
        }

        /// <summary>
        /// RFC 9113 §10.5.1: a request whose header list is over SETTINGS_MAX_HEADER_LIST_SIZE
        /// (or the field count) is answered 431 (RFC 6585) and the connection
        /// lives on; if the client is still sending, RST_STREAM(NO_ERROR) asks it to stop (§8.1).
        /// </summary>
        private ProtocolError? RejectTooLarge(uint id, bool endStream)
        {
            SendHeaderBlock(id, [TooLargeStatus], true);
            if (!endStream)
            {
                Remember(id, CloseCause.ResetSent);
                var e = Control(new RstStreamFrame(id, ErrorCode.NoError));
                if (e is not null) return e;
            }
            else Remember(id, CloseCause.EndStream);
            return TakeReset();
        }

        private static readonly HeaderField TooLargeStatus = HeaderField.Of(":status", "431");

        private ProtocolError? HeadersOnStream(StreamRecord rec, bool endStream, DecodedBlock d)
        {
            var id = rec.Id;
            var t = StreamMachine.Receive(rec.State, StreamEvent.Headers, endStream, id);
            if (t is StreamTransition.Failed fail) return fail.Error;
            if (t is not StreamTransition.Moved mv) return null;
            if (d.ListSizeExceeded)
                return new StreamError(id, ErrorCode.ProtocolError, "header section over SETTINGS_MAX_HEADER_LIST_SIZE", "6.5.2");
            if (rec.PeerHeadersDone)
            {
                // Trailers (§8.1): "An endpoint that receives a HEADERS frame without the END_STREAM flag set after receiving the HEADERS frame that opens a request ... MUST treat the corresponding request or response as malformed."
                if (!endStream) return new StreamError(id, ErrorCode.ProtocolError, "malformed: trailers without END_STREAM", "8.1");
                var bad = FieldValidation.CheckTrailers(d.Fields);
                if (bad.Case is Malformed m) return m.ToStreamError(id);
                if (rec.ExpectedLength.Case is long expected && expected != rec.ReceivedLength)
                    return new StreamError(id, ErrorCode.ProtocolError, "malformed: body does not match content-length", "8.1.1");
                Update(rec, rec with { State = mv.Next });
                Emit(new TrailersReceived(id, d.Fields));
                return null;
            }
            // Client role: a response (or a pushed response on a reserved stream).
            if (FieldValidation.ResponseError(d.Fields, endStream, out var head) is { } malformed) return malformed.ToStreamError(id);
            if (head.IsInformational && endStream)
                return new StreamError(id, ErrorCode.ProtocolError, "malformed: 1xx response with END_STREAM", "8.1");
            Update(rec, rec with
            {
                State = mv.Next,
                PeerHeadersDone = !head.IsInformational,
                ExpectedLength = head.ContentLength,
                Announced = true,
            });
            Emit(new HeadersReceived(id, FieldValidation.JoinCookies(d.Fields), endStream));
            return null;
        }

        // ---- PUSH_PROMISE (§6.6, §8.4) -------------------------------------------

        private ProtocolError? OnPushPromiseFrame(PushPromiseFrame f)
        {
            // §8.4: "A client cannot push. Thus, servers MUST treat the receipt of a PUSH_PROMISE frame as a connection error of type PROTOCOL_ERROR."
            if (IsServer) return new ConnectionError(ErrorCode.ProtocolError, "a client sent PUSH_PROMISE", "8.4");
            // §6.6: with ENABLE_PUSH 0 sent (and acknowledged), a PUSH_PROMISE is a connection PROTOCOL_ERROR.
            if (!S.advertisedSettings.EnablePush) return new ConnectionError(ErrorCode.ProtocolError, "PUSH_PROMISE with push disabled", "6.6");
            var parent = Find(f.StreamId);
            if (parent is null || !parent.State.PeerMaySend)
                return new ConnectionError(ErrorCode.ProtocolError, "PUSH_PROMISE on a stream that is not open or half-closed (local)", "6.6");
            if (!IsPeerInitiated(f.PromisedStreamId) || !IsIdle(f.PromisedStreamId))
                return new ConnectionError(ErrorCode.ProtocolError, $"PUSH_PROMISE promising stream {f.PromisedStreamId}, not a new even id", "6.6");
            return StartBlock(f.StreamId, true, f.PromisedStreamId, false, f.EndHeaders, f.Fragment, None);
        }

        private ProtocolError? CompletePushPromise(uint parentId, uint promised, DecodedBlock d)
        {
            S.highestPeerStreamId = Math.Max(S.highestPeerStreamId, promised);
            if (FieldValidation.RequestError(d.Fields, true, out _) is { } malformed) return malformed.ToStreamError(promised);
            Update(null, NewStream(promised, StreamState.ReservedRemoteState) with { Announced = true });
            Emit(new PushPromiseReceived(parentId, promised, d.Fields));
            return null;
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
            var applied = S.peerSettings.Apply(f.Settings, receiverIsClient: !IsServer);
            if (applied.Case is not Http2Settings next) return applied.Case as ProtocolError;
            var old = S.peerSettings;
            var delta = (long)next.InitialWindowSize - old.InitialWindowSize;
            if (delta != 0)
            {
                // §6.9.2: adjust every stream window by the difference; it may go negative, but beyond 2^31-1 is a connection FLOW_CONTROL_ERROR.
                foreach (var r in S.streams.Snapshot())
                    if (r.SendWindow + delta > FlowControl.MaxWindow)
                        return new ConnectionError(ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE change takes a window beyond 2^31-1", "6.9.2");
                foreach (var r in S.streams.Snapshot())
                    Update(r, r with { SendWindow = r.SendWindow + delta });
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
                foreach (var r in S.streams.Snapshot())
                    Update(r, r with { ReceiveWindow = r.ReceiveWindow + delta });
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
            if (S.goAwayReceived.IsSome)
            {
                var ce = Churn("repeated GOAWAY frames");
                if (ce is not null) return ce;
            }
            S.goAwayReceived = S.goAwayReceived.Match(g => Math.Min(g, f.LastStreamId), () => f.LastStreamId);
            Emit(new GoAwayReceived(f.LastStreamId, f.Error, f.DebugData));
            // §6.8: streams we initiated above the last id were not processed; they may be retried elsewhere.
            foreach (var r in S.streams.Snapshot().Where(r => !IsPeerInitiated(r.Id) && r.Id > f.LastStreamId).ToList())
                Close(r, CloseCause.ResetReceived, ErrorCode.RefusedStream);
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
                return RecentlyClosed(id).Case is CloseCause cause
                    ? (StreamMachine.Receive(StreamState.ClosedBy(cause), StreamEvent.WindowUpdate, false, id) as StreamTransition.Failed)?.Error
                    : null;
            }
            var t = StreamMachine.Receive(rec.State, StreamEvent.WindowUpdate, false, id);
            if (t is StreamTransition.Failed fail) return fail.Error;
            if (f.Increment == 0) return new StreamError(id, ErrorCode.ProtocolError, "WINDOW_UPDATE with increment 0", "6.9");
            if (!FlowControl.TryIncrease(rec.SendWindow, f.Increment, out var sw))
                return new StreamError(id, ErrorCode.FlowControlError, "stream window beyond 2^31-1", "6.9.1");
            var next = rec with { SendWindow = sw };
            if (!rec.HasPendingOutput)
            {
                var e = Churn("WINDOW_UPDATE frames that unblock nothing");
                if (e is not null) return e;
                Update(rec, next);
                return null;
            }
            Update(rec, Drain(next));
            return null;
        }
    }
}
