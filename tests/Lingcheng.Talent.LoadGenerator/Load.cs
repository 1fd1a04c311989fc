using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Lingcheng.Talent.LoadGenerator;

/// <summary>What one load phase measured: calls, failures, wall time and every call's latency.</summary>
public sealed record LoadResult(string Name, long Calls, long Failures, TimeSpan Elapsed, double[] LatenciesMs)
{
    /// <summary>Open loop only: how the calls slower than <see cref="Load.SlowMs"/> cluster in time.</summary>
    public SlowCalls? Slow { get; init; }

    /// <summary>Open loop only: each call's latency in the order the calls were due (NaN for a failed call).</summary>
    public double[]? LatenciesByDueTime { get; init; }

    /// <summary>Open loop only: how many calls were due in 100 ms.</summary>
    public long CallsPerWindow { get; init; }

    /// <summary>
    /// Open loop only: the largest share, over the 100 ms windows of due times, of a window's answered calls
    /// slower than <paramref name="thresholdMs"/> (0.05 = 5 %); NaN for a closed-loop phase.
    /// </summary>
    public double WorstWindowShareOver(double thresholdMs)
    {
        if (LatenciesByDueTime is not { } byDue || CallsPerWindow <= 0)
        {
            return double.NaN;
        }

        var worst = 0.0;
        foreach (var window in byDue.Chunk((int)CallsPerWindow))
        {
            var answered = window.Count(l => !double.IsNaN(l));
            if (answered > 0)
            {
                worst = Math.Max(worst, (double)window.Count(l => l > thresholdMs) / answered);
            }
        }

        return worst;
    }

    public double PerSecond => Calls / Elapsed.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    /// <summary>Nearest-rank percentile of the recorded latencies (milliseconds); NaN when none.</summary>
    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * LatenciesMs.Length);
        return LatenciesMs[Math.Clamp(rank - 1, 0, LatenciesMs.Length - 1)];
    }
}

/// <summary>
/// The calls of an open-loop phase slower than <see cref="Load.SlowMs"/>: how many, in how many
/// 100 ms windows of their due times, and the slowest. Few windows holding many calls means stalls
/// (everything due meanwhile waits); many windows, a queue that is long all the time.
/// </summary>
public sealed record SlowCalls(long Count, long Of, int Windows, double MaxMs, double WorstWindowStartSeconds)
{
    public override string ToString() => string.Format(System.Globalization.CultureInfo.InvariantCulture,
        "{0} of {1} calls over {2} ms in {3} windows of 100 ms (most from {4:F1} s), max {5:F1} ms", Count, Of, Load.SlowMs, Windows, WorstWindowStartSeconds, MaxMs);
}

/// <summary>
/// Drives calls at the services. <see cref="ClosedAsync"/> keeps a fixed number of calls in flight
/// (the maximum rate); <see cref="OpenAsync"/> starts calls on a fixed schedule whatever the answers
/// do, and times each call from its scheduled start, so a stall shows in the percentiles instead of
/// silently slowing the load (no coordinated omission).
/// </summary>
public static class Load
{
    /// <summary>The fixed latency (ms) over which the open loop's clustering report counts a call as slow.</summary>
    public const double SlowMs = 5;

    /// <summary>
    /// Runs <paramref name="call"/>(i) with <paramref name="concurrency"/> calls in flight until
    /// <paramref name="duration"/> has passed or <paramref name="limit"/> calls have started.
    /// A call that throws counts as a failure; the first failure's message is kept in <paramref name="failure"/>.
    /// </summary>
    public static async Task<LoadResult> ClosedAsync(string name, Func<long, Task> call, int concurrency, TimeSpan duration, long limit = long.MaxValue, Action<string>? failure = null)
    {
        long next = -1, failures = 0;
        var perWorker = new List<double>[concurrency];
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var latencies = perWorker[w] = new List<double>(4096);
            while (watch.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= limit)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    await call(i);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception ex)
                {
                    if (Interlocked.Increment(ref failures) == 1)
                    {
                        failure?.Invoke(ex.Message);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed;
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(name, all.Length, failures, elapsed, all);
    }

    /// <summary>
    /// Starts <paramref name="call"/>(i) <paramref name="ratePerSecond"/> times a second for <paramref name="duration"/>.
    /// A thread of its own keeps the schedule: it sleeps until each call is due (to the microsecond on
    /// Linux, so neither a millisecond timer tick nor a spinning core is added to what is measured) and
    /// starts the call itself. Latency counts from the due time, so a late start still counts.
    /// </summary>
    public static async Task<LoadResult> OpenAsync(string name, Func<long, Task> call, double ratePerSecond, TimeSpan duration, Action<string>? failure = null)
    {
        var total = (long)(ratePerSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var done = new bool[total];
        var calls = new Task[total];
        long failures = 0;
        var ticksPerCall = Stopwatch.Frequency / ratePerSecond;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100; // 10 ms for the thread to start
        var scheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var schedule = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var due = start + (long)(i * ticksPerCall);
                SleepUntil(due);
                calls[i] = Run(i, due);
            }

            scheduled.SetResult();
        }) { IsBackground = true, Name = "open-loop schedule" };
        schedule.Start();
        await scheduled.Task;
        await Task.WhenAll(calls);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var measured = latencies.Where((_, i) => done[i]).ToArray();
        Array.Sort(measured);
        return new LoadResult(name, measured.Length, failures, elapsed, measured)
        {
            Slow = SlowOf(latencies, done, ticksPerCall),
            LatenciesByDueTime = [.. latencies.Select((l, i) => done[i] ? l : double.NaN)],
            CallsPerWindow = Math.Max(1, (long)(Stopwatch.Frequency / 10 / ticksPerCall)),
        };

        async Task Run(long i, long due)
        {
            try
            {
                await call(i);
                latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                done[i] = true;
            }
            catch (Exception ex)
            {
                if (Interlocked.Increment(ref failures) == 1)
                {
                    failure?.Invoke(ex.Message);
                }
            }
        }
    }

    private static SlowCalls SlowOf(double[] latencies, bool[] done, double ticksPerCall)
    {
        var callsPerWindow = Math.Max(1, (long)(Stopwatch.Frequency / 10 / ticksPerCall));
        var windows = new Dictionary<long, int>();
        long count = 0, of = 0;
        double max = 0;
        for (long i = 0; i < latencies.Length; i++)
        {
            of += done[i] ? 1 : 0;
            if (done[i] && latencies[i] > SlowMs)
            {
                count++;
                max = Math.Max(max, latencies[i]);
                windows[i / callsPerWindow] = windows.GetValueOrDefault(i / callsPerWindow) + 1;
            }
        }

        var worst = windows.Count == 0 ? 0 : windows.MaxBy(w => w.Value).Key;
        return new SlowCalls(count, of, windows.Count, max, worst / 10.0);
    }

    /// <summary>Sleeps the calling thread until the <see cref="Stopwatch"/> timestamp <paramref name="due"/>.</summary>
    private static void SleepUntil(long due)
    {
        for (var left = due - Stopwatch.GetTimestamp(); left > 0; left = due - Stopwatch.GetTimestamp())
        {
            var nanoseconds = (long)(left * (1e9 / Stopwatch.Frequency));
            if (OperatingSystem.IsLinux())
            {
                var request = new Timespec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
                _ = nanosleep(ref request, IntPtr.Zero); // woken early by a signal: the loop sleeps the rest
            }
            else
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, nanoseconds / 1_000_000)));
            }
        }
    }

    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int nanosleep(ref Timespec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);
}
