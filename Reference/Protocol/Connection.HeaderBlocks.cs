using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

public static partial class Connection
{
    // Header blocks from the peer: HEADERS, CONTINUATION, PUSH_PROMISE, decoded fragment by fragment (§4.3, §6.2, §6.6, §6.10).
    private partial struct Machine
    {
        // ---- HEADERS, CONTINUATION (§6.2, §6.10, §4.3) -------------------------------

        private ProtocolError? OnHeaders(HeadersFrame f)
        {
            var id = f.StreamId;
            var deferred = default(StreamError);
            // §5.3.1: "A stream cannot depend on itself. An endpoint MUST treat this as a stream error of type PROTOCOL_ERROR."
            if (f.Priority.ToNullable() is { } p && p.DependsOn == id)
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
                    if (RecentlyClosed(id) is not { } cause)
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
                deferred ??= (StreamError)err;
            }
            return StartBlock(id, false, 0, f.EndStream, f.EndHeaders, f.Fragment, deferred);
        }

        private ProtocolError? StartBlock(uint id, bool push, uint promised, bool endStream, bool endHeaders, Bytes fragment, StreamError? deferred)
        {
            if (fragment.Length > L.MaxHeaderBlockBytes)
                return new ConnectionError(ErrorCode.EnhanceYourCalm, $"header block over {L.MaxHeaderBlockBytes} octets", "CVE-2024-27316");
            if (endHeaders)
            {
                return HpackDecoder.Decode(S.decoder, fragment.Span, DecoderLimits()).TryRight(out var d, out var error)
                    ? Decoded(id, push, promised, endStream, d, deferred)
                    : CompressionError(error);
            }
            if (fragment.IsEmpty)
            {
                var e = Churn("empty header block fragments");
                if (e is not null) return e;
            }
            // §4.3: the fragment is decoded now (it aliases the caller's buffer, which is reused once this call returns);
            // only an incomplete representation at its end is held, bounded by the limits.
            if (!HpackDecoder.Continue(HpackDecoder.Begin(S.decoder), fragment.Span, DecoderLimits()).TryRight(out var progress, out var failed))
                return CompressionError(failed);
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
                if (!HpackDecoder.Continue(hb.Decoding, c.Fragment.Span, DecoderLimits()).TryRight(out var progress, out var failed))
                    return CompressionError(failed);
                S.headerBlock = hb with { Decoding = progress, Length = length, Continuations = hb.Continuations + 1 };
                return null;
            }
            S.headerBlock = null;
            return HpackDecoder.End(hb.Decoding, c.Fragment.Span, DecoderLimits()).TryRight(out var d, out var error)
                ? Decoded(hb.StreamId, hb.IsPushPromise, hb.PromisedStreamId, hb.EndStream, d, hb.Deferred)
                : CompressionError(error);
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
        private static ConnectionError CompressionError(HpackError error) =>
            new(ErrorCode.CompressionError, error.ToString(), "4.3");

        /// <summary>
        /// A whole header block was decoded. It is ALWAYS decoded — the HPACK
        /// context is connection-wide (§4.3; Kestrel's rule), even when the
        /// stream is about to be refused or reset, or its list is over the
        /// limit (then 431 on that stream, §8.2, §10.5.1).
        /// </summary>
        private ProtocolError? Decoded(uint id, bool push, uint promised, bool endStream, DecodedBlock d, StreamError? deferred)
        {
            S.decoder = d.State;
            if (deferred is not null) return deferred;
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
            if (S.goAwaySent is { } last && id > last) { Remember(id, CloseCause.ResetSent); return Churn("HEADERS after our GOAWAY"); }
            if (d.ListSizeExceeded) return RejectTooLarge(id, endStream);
            // §5.1.2: over our SETTINGS_MAX_CONCURRENT_STREAMS: "MUST treat this as a stream error of type PROTOCOL_ERROR or REFUSED_STREAM".
            if (S.activePeerStreams >= S.advertisedSettings.MaxConcurrentStreams)
                return new StreamError(id, ErrorCode.RefusedStream, $"over SETTINGS_MAX_CONCURRENT_STREAMS ({S.advertisedSettings.MaxConcurrentStreams})", "5.1.2");
            if (!FieldValidation.CheckRequest(d.Fields, endStream).TryRight(out var head, out var malformed)) return malformed.ToStreamError(id);
            var rec = new StreamRecord
            {
                Id = id,
                Stamp = stamp,
                State = endStream ? StreamState.HalfClosedRemoteState : StreamState.OpenState,
                SendWindow = S.peerSettings.InitialWindowSize,
                ReceiveWindow = S.localSettings.InitialWindowSize,
                RateStart = now,
                ExpectedLength = head.ContentLength.ToNullable(),
                PeerHeadersDone = true,
                Announced = true,
                HeadRequest = head.IsHead,
            };
            Update(null, rec);
            Emit(new HeadersReceived(id, head.Cookies >= 2 ? FieldValidation.JoinCookies(d.Fields) : d.Fields, endStream));
            // §5.1.1: a connection that runs out of stream ids is closed gracefully.
            if (id >= L.MaxStreamId - 1 && S.goAwaySent is null) GracefulGoAway(ErrorCode.NoError, "stream ids exhausted");
            return null;
        }

        /// <summary>
        /// RFC 9113 §10.5.1: a request whose header list is over SETTINGS_MAX_HEADER_LIST_SIZE
        /// (or the field count) is answered 431 (RFC 6585) and the connection
        /// lives on; if the client is still sending, RST_STREAM(NO_ERROR) asks it to stop (§8.1).
        /// </summary>
        private ProtocolError? RejectTooLarge(uint id, bool endStream)
        {
            // RFC 9110 §6.6.1, §10.2.4: the 431 gets the date and server fields every response gets.
            SendHeaderBlock(id, HttpSemantics.PrepareResponse([TooLargeStatus], true, false, Optional(S.date), S.options.ServerField).Fields, true);
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
                if (!FieldValidation.CheckTrailers(d.Fields).TryRight(out _, out var bad)) return bad.ToStreamError(id);
                if (rec.ExpectedLength is { } expected && expected != rec.ReceivedLength)
                    return new StreamError(id, ErrorCode.ProtocolError, "malformed: body does not match content-length", "8.1.1");
                Update(rec, rec with { Stamp = stamp, State = mv.Next });
                Emit(new TrailersReceived(id, d.Fields));
                return null;
            }
            // Client role: a response (or a pushed response on a reserved stream).
            if (!FieldValidation.CheckResponse(d.Fields, endStream).TryRight(out var head, out var malformed)) return malformed.ToStreamError(id);
            if (head.IsInformational && endStream)
                return new StreamError(id, ErrorCode.ProtocolError, "malformed: 1xx response with END_STREAM", "8.1");
            Update(rec, rec with
            {
                Stamp = stamp,
                State = mv.Next,
                PeerHeadersDone = !head.IsInformational,
                ExpectedLength = head.ContentLength.ToNullable(),
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
            return StartBlock(f.StreamId, true, f.PromisedStreamId, false, f.EndHeaders, f.Fragment, null);
        }

        private ProtocolError? CompletePushPromise(uint parentId, uint promised, DecodedBlock d)
        {
            S.highestPeerStreamId = Math.Max(S.highestPeerStreamId, promised);
            if (!FieldValidation.CheckRequest(d.Fields, true).TryRight(out _, out var malformed)) return malformed.ToStreamError(promised);
            Update(null, NewStream(promised, StreamState.ReservedRemoteState) with { Announced = true });
            Emit(new PushPromiseReceived(parentId, promised, d.Fields));
            return null;
        }
    }
}
