using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Feeds;

/// <summary>How a <see cref="FeedConsumer{TMessage}"/> waits: its idle watchdog and its reconnect backoff.</summary>
/// <param name="IdleTimeout">
/// The stream is taken for dead when nothing, not even a heartbeat, arrives for this long; it is then
/// cancelled and opened again. The producers send a heartbeat every 5 s while idle, so an idle but healthy
/// stream never trips it.
/// </param>
/// <param name="InitialBackoff">The first wait before reconnecting; doubled after each attempt that received nothing.</param>
/// <param name="MaxBackoff">The longest wait (the channel's own reconnect backoff is capped alike, <see cref="Hosting.ServiceClients.MaxReconnectBackoff"/>).</param>
public sealed record FeedConsumerOptions(TimeSpan IdleTimeout, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The shortest idle timeout accepted: a timeout below the producers' heartbeat would cut healthy streams.</summary>
    public static readonly TimeSpan MinIdleTimeout = TimeSpan.FromSeconds(1);

    /// <summary>20 s idle timeout, 100 ms doubling to 2 s.</summary>
    public static FeedConsumerOptions Default { get; } = new(TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));

    /// <summary>These options with the idle timeout of <paramref name="seconds"/> (at least <see cref="MinIdleTimeout"/>).</summary>
    public FeedConsumerOptions WithIdleTimeoutSeconds(double seconds) =>
        this with { IdleTimeout = TimeSpan.FromSeconds(Math.Max(MinIdleTimeout.TotalSeconds, seconds)) };
}

/// <summary>
/// The one loop every consumer of a feed stream (<c>WatchCardEvents</c>, <c>WatchUsage</c>) runs: open the
/// stream from the consumer's last position, hand each message over, and when the stream ends, fails or
/// falls silent, reconnect after a backoff with jitter. Three things it owns so no consumer can forget one:
/// <list type="bullet">
/// <item>an <b>idle watchdog</b>: a stream that delivers nothing, not even a heartbeat, for
/// <see cref="FeedConsumerOptions.IdleTimeout"/> is cancelled and reopened. A connection that dies silently
/// (a peer gone without a FIN, a middlebox that drops the flow) otherwise leaves the read waiting forever and
/// the consumer's copy frozen while it believes itself connected;</item>
/// <item><b>backoff with jitter</b> on the injected <see cref="TimeProvider"/> (so tests can drive it), reset
/// after any attempt that received a message;</item>
/// <item><b>prompt stop</b>: the stopping token ends the read and the wait at once.</item>
/// </list>
/// The HTTP/2 keep-alive pings that make the reopened stream go over a new connection rather than the dead
/// one are set on the channel (<see cref="Hosting.ServiceClients"/>). Resuming without gaps is the
/// consumer's part: <see cref="OpenAsync"/> subscribes after the last position it has applied.
/// </summary>
public abstract class FeedConsumer<TMessage>(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The clock the backoff and the watchdog run on (the service's injected <see cref="TimeProvider"/>).</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>The consumer's logger.</summary>
    protected ILogger Logger { get; } = logger;

    /// <summary>The feed's name in logs ("Card event feed").</summary>
    protected abstract string FeedName { get; }

    /// <summary>The watchdog and backoff settings; read at each subscription.</summary>
    protected abstract FeedConsumerOptions Options { get; }

    /// <summary>True while a stream is open and has delivered at least one message.</summary>
    public bool Connected { get; private set; }

    /// <summary>True when the last attempt to open the feed failed before any message: the producer cannot be reached.</summary>
    public bool SourceUnreachable { get; private set; }

    /// <summary>How many times the idle watchdog has cut a silent stream (for tests and logs).</summary>
    public int StallsDetected => _stalls;

    private int _stalls;

    /// <summary>Opens one subscription after the last position applied.</summary>
    protected abstract Task<AsyncServerStreamingCall<TMessage>> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies one message. <paramref name="moreWaiting"/> is true when the next message has already arrived
    /// (a backlog: a consumer may batch). Returns false to end this subscription and reconnect at once
    /// (e.g. the producer was started anew and the copy is to be replayed).
    /// </summary>
    protected abstract ValueTask<bool> OnMessageAsync(TMessage message, bool moreWaiting, CancellationToken cancellationToken);

    /// <summary>Called when a subscription ends, however it ends (flush a batch: only when <paramref name="cleanly"/>).</summary>
    protected virtual ValueTask OnStreamEndAsync(bool cleanly, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called on the first message of a subscription.</summary>
    protected virtual void OnConnected()
    {
    }

    /// <summary>Called after a subscription ended and before the backoff (take a copy out of service).</summary>
    protected virtual void OnDisconnected()
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host finish starting
        var backoff = Options.InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SubscribeAsync(stoppingToken))
                {
                    backoff = Options.InitialBackoff;
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException or HttpRequestException)
            {
                SourceUnreachable = !Connected;
                Logger.LogWarning("{Feed} interrupted ({Problem}); reconnecting in about {Delay} ms",
                    FeedName, ex is RpcException r ? r.StatusCode + (r.Status.Detail is { Length: > 0 } d ? ": " + d : "") : ex.GetType().Name, (int)backoff.TotalMilliseconds);
            }
            catch (Exception ex)
            {
                // Never let a bad message or a failed write stop the consumer: log it and start over from the stored position.
                SourceUnreachable = false;
                Logger.LogError(ex, "{Feed} failed; reconnecting in about {Delay} ms", FeedName, (int)backoff.TotalMilliseconds);
            }
            finally
            {
                Connected = false;
                OnDisconnected();
            }

            try
            {
                await Task.Delay(Jitter(backoff), Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Options.MaxBackoff.Ticks));
        }
    }

    /// <summary>Between 80 % and 100 % of <paramref name="backoff"/>: replicas do not reconnect in lock step, and never wait longer than the cap.</summary>
    public static TimeSpan Jitter(TimeSpan backoff) => TimeSpan.FromTicks((long)(backoff.Ticks * (0.8 + (0.2 * Random.Shared.NextDouble()))));

    /// <summary>One subscription, until the stream ends, fails or falls silent. True when at least one message arrived.</summary>
    private async Task<bool> SubscribeAsync(CancellationToken stoppingToken)
    {
        var idle = Options.IdleTimeout;
        using var watchdog = new CancellationTokenSource(idle, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, watchdog.Token);
        var token = linked.Token;
        var received = false;
        var cleanly = false;
        try
        {
            using var call = await OpenAsync(token);
            var stream = call.ResponseStream;
            var next = stream.MoveNext(token);
            while (await next)
            {
                watchdog.CancelAfter(idle);
                var message = stream.Current;
                if (!received)
                {
                    received = true;
                    Connected = true;
                    SourceUnreachable = false;
                    OnConnected();
                }

                next = stream.MoveNext(token);
                if (!await OnMessageAsync(message, next.IsCompleted, token))
                {
                    break;
                }
            }

            cleanly = true;
        }
        catch (Exception) when (watchdog.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _stalls);
            SourceUnreachable = !received; // silent from the start: as good as unreachable
            Logger.LogWarning("{Feed} silent for {Idle} s: taken for dead and reopened", FeedName, idle.TotalSeconds);
        }
        finally
        {
            await OnStreamEndAsync(cleanly, stoppingToken);
        }

        if (cleanly)
        {
            Logger.LogInformation("{Feed} ended by the producer; reconnecting", FeedName);
        }

        return received;
    }
}
