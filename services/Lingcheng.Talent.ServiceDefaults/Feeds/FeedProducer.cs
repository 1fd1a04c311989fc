using Lingcheng.Talent.ServiceDefaults.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Feeds;

/// <summary>
/// The one loop every feed stream a service serves (<c>WatchCardEvents</c>, <c>WatchUsage</c>) runs: send
/// what is new, then a caught-up marker the first time and a heartbeat marker whenever the stream has been
/// quiet for <paramref name="heartbeat"/>, then wait for the next commit in this process
/// (<see cref="CommitSignal"/>) or the next poll (commits of other replicas). The heartbeat is what the
/// consumers' idle watchdog (<see cref="FeedConsumer{TMessage}"/>) observes on an idle but healthy stream:
/// it must stay well below their idle timeout (5 s against 20 s by default).
/// Serve it through <see cref="ServerStreams.RunUntilStoppingAsync"/> so it ends at once on shutdown.
/// </summary>
public static class FeedProducer
{
    /// <param name="sendNewAsync">Reads and sends what came after the last position sent; true when a full batch went out (more is waiting: read again at once).</param>
    /// <param name="sendMarkerAsync">Sends a caught-up marker stamped with the given time.</param>
    /// <param name="markerDue">Optional: true when a marker must go out now, before the heartbeat is due (the registry's trust list changed).</param>
    public static async Task RunAsync(
        CommitSignal signal,
        TimeProvider time,
        TimeSpan poll,
        TimeSpan heartbeat,
        Func<CancellationToken, Task<bool>> sendNewAsync,
        Func<DateTimeOffset, CancellationToken, Task> sendMarkerAsync,
        CancellationToken cancellationToken,
        Func<bool>? markerDue = null)
    {
        var markerSent = false;
        var lastMarker = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Take the wake-up task before reading, so a commit between the read and the wait is not missed.
            var wake = signal.Next;
            if (await sendNewAsync(cancellationToken))
            {
                continue;
            }

            var now = time.GetUtcNow();
            if (!markerSent || now - lastMarker >= heartbeat || markerDue?.Invoke() == true)
            {
                await sendMarkerAsync(now, cancellationToken);
                markerSent = true;
                lastMarker = now;
            }

            var untilHeartbeat = heartbeat - (time.GetUtcNow() - lastMarker);
            var delay = untilHeartbeat < poll ? (untilHeartbeat > TimeSpan.Zero ? untilHeartbeat : TimeSpan.Zero) : poll;
            await Task.WhenAny(wake, Task.Delay(delay, time, cancellationToken)); // a cancelled delay ends the loop above
        }
    }
}
