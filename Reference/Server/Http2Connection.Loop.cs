using Microsoft.Extensions.Logging;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

internal sealed partial class Http2Connection
{
    /// <summary>What arrives in the mailbox. A closed hierarchy; each message knows how the loop handles it.</summary>
    private abstract class Message
    {
        /// <summary>Handles the message on the loop.</summary>
        public abstract void Handle(Http2Connection c);

        /// <summary>The loop has ended before handling it: answer whoever waits.</summary>
        public virtual void Drop() { }

        /// <summary>The core's first step, and GOAWAY(INADEQUATE_SECURITY) when the TLS parameters are not acceptable.</summary>
        public sealed class Start(string? inadequateSecurity) : Message
        {
            public override void Handle(Http2Connection c) => c.Begin(inadequateSecurity);
        }

        /// <summary>The timer fired.</summary>
        public sealed class Tick : Message
        {
            public static readonly Tick Instance = new();
            public override void Handle(Http2Connection c) => c.OnTimer();
        }

        /// <summary>Graceful shutdown (<see cref="Http2Connection.Shutdown"/>).</summary>
        public sealed class Stop : Message
        {
            public static readonly Stop Instance = new();
            public override void Handle(Http2Connection c)
            {
                if (!c.closing) c.Step(new SendGoAway(ErrorCode.NoError));
            }
        }

        /// <summary>The reader got end of stream or an error: nothing more comes from the peer.</summary>
        public sealed class ReaderEnded : Message
        {
            public static readonly ReaderEnded Instance = new();
            public override void Handle(Http2Connection c) => c.OnReaderEnded();
        }

        /// <summary>A command of a handler running on another thread, answered through <see cref="Reply"/>.</summary>
        public sealed class Command<T>(Func<Http2Connection, T> run, Func<T> closed) : Message
        {
            private readonly TaskCompletionSource<T> reply = new();
            public Task<T> Reply => reply.Task;
            public override void Handle(Http2Connection c) => reply.TrySetResult(run(c));
            public override void Drop() => reply.TrySetResult(closed());
        }

        /// <summary>A command without an answer (resume, reset).</summary>
        public sealed class Action(Action<Http2Connection> run) : Message
        {
            public override void Handle(Http2Connection c) => run(c);
        }

        /// <summary>
        /// Something the shell started ended on another thread (an asynchronous
        /// callback, a body read): its continuation runs on the loop, or, once the
        /// loop has ended, where it ended (it then only sequences close callbacks).
        /// </summary>
        public sealed class Continuation(Action<Http2Connection> run) : Message
        {
            public override void Handle(Http2Connection c) => run(c);
            public override void Drop() { }
        }
    }

    /// <summary>Whether the calling thread is the loop's (a handler the loop called): then commands are handled at once.</summary>
    private bool OnLoop => Volatile.Read(ref loopThread) == Environment.CurrentManagedThreadId;

    /// <summary>Posts a message; false when the loop has ended.</summary>
    private bool Post(Message message) => mailbox.Writer.TryWrite(message);

    /// <summary>
    /// A handler command with an answer: handled at once on the loop's thread,
    /// else posted and awaited (the loop never waits for a handler, so this
    /// cannot wait on itself). <paramref name="closed"/> answers when the
    /// connection has ended.
    /// </summary>
    private T Ask<T>(Func<Http2Connection, T> run, Func<T> closed)
    {
        if (OnLoop) return finished ? closed() : run(this);
        var command = new Message.Command<T>(run, closed);
        if (!Post(command)) command.Drop();
        return command.Reply.GetAwaiter().GetResult();
    }

    /// <summary>A handler command without an answer (dropped once the connection has ended).</summary>
    private void Tell(Action<Http2Connection> run)
    {
        if (OnLoop) { if (!finished) run(this); }
        else Post(new Message.Action(run));
    }

    /// <summary>Runs <paramref name="run"/> on the loop (from another thread), or here once the loop has ended.</summary>
    private void Continue(Action<Http2Connection> run)
    {
        var message = new Message.Continuation(run);
        if (!Post(message)) run(this);
    }

    /// <summary>A value of the loop's state, for tests (read on the loop; after the end, the final state).</summary>
    private T Inspect<T>(Func<Http2Connection, T> read) => Ask(read, () => read(this));

    /// <summary>
    /// The loop: handles messages until the connection has ended. Output made
    /// while handling a batch is handed to the writer when the mailbox is
    /// empty, so the responses to many requests leave in one write.
    /// </summary>
    private async Task LoopAsync(Message start)
    {
        var reader = mailbox.Reader;
        Volatile.Write(ref loopThread, Environment.CurrentManagedThreadId);
        Handle(start);
        while (!finished)
        {
            while (!finished && reader.TryRead(out var message))
            {
                Handle(message);
                Dispatch();
            }
            if (finished) break;
            WriteOrClose();
            if (finished) break;
            if (reader.TryPeek(out _)) continue; // the writer finished at once
            Volatile.Write(ref loopThread, 0);
            if (!await reader.WaitToReadAsync().ConfigureAwait(false)) break;
            Volatile.Write(ref loopThread, Environment.CurrentManagedThreadId);
        }
        End(); // still on the loop: close callbacks that answer are handled at once
        Volatile.Write(ref loopThread, 0);
    }

    private void Handle(Message message)
    {
        try
        {
            message.Handle(this);
        }
        catch (Exception e)
        {
            // A bug of the shell, not of the peer (the core returns errors as values): end the connection.
            log.LogError(e, "{Client}: the connection loop failed; closing", client);
            Abort();
        }
    }

    /// <summary>Hands queued output to the writer, or, once the core asked to close and all is written, closes.</summary>
    private void WriteOrClose()
    {
        if (output.TryStart()) return;
        if (closeRequested && !closing && !output.Busy)
        {
            closing = true;
            _ = CloseTransportAsync();
        }
        if (readerEnded && (!output.Busy || output.Failed || Now >= drainUntil)) finished = true;
    }

    /// <summary>The peer's side ended: wait (bounded) until what is queued is written, so a last GOAWAY is not lost.</summary>
    private void OnReaderEnded()
    {
        readerEnded = true;
        if (!output.Busy) return; // the loop ends after this batch
        drainUntil = Now + TimeSpan.FromSeconds(2);
        _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(static (_, s) => ((Http2Connection)s!).Post(Message.Tick.Instance), this,
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>The connection has ended: streams not closed end with INTERNAL_ERROR; late messages are answered as closed.</summary>
    private void End()
    {
        finished = true;
        closing = true;
        timer?.Dispose();
        drained?.TrySetResult();
        // Before the mailbox closes: a callback that ends meanwhile is still sequenced by the loop.
        DropDeferred();
        ConnectionLost();
        mailbox.Writer.TryComplete();
        while (mailbox.Reader.TryRead(out var late))
        {
            if (late is Message.Continuation) Handle(late); // the ends of callbacks still sequence the streams' close callbacks
            else late.Drop();
        }
        output.Dispose();
        completion.TrySetResult();
    }
}
