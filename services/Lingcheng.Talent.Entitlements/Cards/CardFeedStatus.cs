namespace Lingcheng.Talent.Entitlements.Cards;

/// <summary>
/// What this replica knows about its place in the registry's event feed, for <c>state_as_of</c>
/// and for logs. Kept in memory: each replica consumes the feed itself.
/// </summary>
public sealed class CardFeedStatus
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _stateAsOf;

    /// <summary>True while a WatchCardEvents stream is open and has delivered its history.</summary>
    public bool CaughtUp { get; private set; }

    /// <summary>The latest moment the stored card states are known to reflect: the last applied event or caught-up heartbeat.</summary>
    public DateTimeOffset? StateAsOf
    {
        get
        {
            lock (_gate)
            {
                return _stateAsOf;
            }
        }
    }

    public void Advance(DateTimeOffset? asOf)
    {
        if (asOf is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_stateAsOf is null || asOf > _stateAsOf)
            {
                _stateAsOf = asOf;
            }
        }
    }

    public void SetCaughtUp(bool caughtUp) => CaughtUp = caughtUp;
}
