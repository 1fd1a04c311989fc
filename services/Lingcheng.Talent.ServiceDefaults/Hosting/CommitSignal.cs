namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Wakes the feed streams of this process (the registry's card events, the entitlement service's
/// usage changes) when a write they stream commits. Streams also poll the database, so writes
/// committed by another replica arrive too, only later.
/// </summary>
public sealed class CommitSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>; take it before reading the database.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
