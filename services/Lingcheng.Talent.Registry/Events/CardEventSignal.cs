namespace Lingcheng.Talent.Registry.Events;

/// <summary>
/// Wakes the event streams of this process when a card event commits. Streams also poll the
/// database, so events committed by another replica arrive too, only later.
/// </summary>
public sealed class CardEventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>; take it before reading the database.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
