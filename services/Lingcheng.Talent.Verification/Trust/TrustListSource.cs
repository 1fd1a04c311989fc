using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.V1;
using TrustedKey = Lingcheng.Talent.Cards.TrustedKey;
using Lingcheng.Talent.Verification.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Trust;

/// <summary>
/// The registry's trust list as the verifier uses it. Fetched at start and every
/// <c>Verification:TrustListRefreshSeconds</c>; fetched again at once (at most every
/// <c>UnknownKidRefreshSeconds</c>) when a token names a kid the list does not hold, so a newly
/// rotated key works without a restart; and at once when the card event feed reports a new
/// trust-list version (<see cref="CardStates.CardFeedConsumer"/>), so a revoked key is refused within
/// about a second. The last good list stays in use while the registry is down.
/// </summary>
public sealed class TrustListSource(
    TalentRegistryService.TalentRegistryServiceClient registry,
    IDbContextFactory<VerificationDbContext> contexts,
    TimeProvider time,
    IOptions<VerificationOptions> options,
    ILogger<TrustListSource> logger)
{
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private volatile TrustList _current = TrustList.Empty;
    private long _lastUnscheduledFetchTicks = long.MinValue / 2;
    private Task<bool>? _inflight;
    private readonly Lock _inflightGate = new();

    /// <summary>The list in use now (empty until the first fetch succeeds).</summary>
    public TrustList Current => _current;

    /// <summary>Raised after a fetch changed the list (the signature cache clears itself).</summary>
    public event Action? Changed;

    /// <summary>Fetches the list from the registry. Returns false when the registry could not be reached.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _fetchGate.WaitAsync(cancellationToken);
        try
        {
            var response = await registry.GetTrustListAsync(new GetTrustListRequest(), cancellationToken: cancellationToken);
            var keys = new List<TrustedKey>();
            foreach (var k in response.Keys)
            {
                try
                {
                    keys.Add(new TrustedKey(
                        k.SubjectPublicKeyInfo.Span,
                        k.ValidFrom?.ToDateTimeOffset() ?? DateTimeOffset.MinValue,
                        k.ValidUntil?.ToDateTimeOffset(),
                        k.Status switch
                        {
                            SigningKeyStatus.Retired => TrustedKeyStatus.Retired,
                            SigningKeyStatus.Revoked => TrustedKeyStatus.Revoked,
                            _ => TrustedKeyStatus.Active,
                        })
                    {
                        TrustedUntil = k.TrustedUntil?.ToDateTimeOffset(),
                    });
                }
                catch (ArgumentException ex)
                {
                    logger.LogWarning("Ignoring trust list entry {Kid}: {Problem}", k.Kid, ex.Message);
                }
            }

            var list = new TrustList(keys.DistinctBy(k => k.Kid));
            var old = _current;
            if (old.Count != list.Count || !old.All(o => list.TryGetKey(o.Kid, out var n) && n.Equals(o)))
            {
                _current = list;
                await StoreAsync(list, cancellationToken);
                logger.LogInformation("Trust list loaded: {Count} keys ({Kids})", list.Count, string.Join(", ", list.Select(k => $"{k.Kid}:{k.Status}")));
                Changed?.Invoke();
            }

            return true;
        }
        catch (RpcException ex)
        {
            logger.LogWarning("Trust list fetch failed ({Status}); keeping the list of {Count} keys", ex.StatusCode, _current.Count);
            return false;
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    /// <summary>Loads the list stored by the last fetch, so a restart verifies even while the registry is down.</summary>
    public async Task LoadStoredAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TrustedKeys.AsNoTracking().ToListAsync(cancellationToken);
        if (rows.Count > 0 && _current.Count == 0)
        {
            _current = new TrustList(rows.Select(r => new TrustedKey(r.SubjectPublicKeyInfo,
                new DateTimeOffset(r.ValidFromUtcTicks, TimeSpan.Zero),
                r.ValidUntilUtcTicks is { } until ? new DateTimeOffset(until, TimeSpan.Zero) : null,
                (TrustedKeyStatus)r.Status)
            {
                TrustedUntil = r.TrustedUntilUtcTicks is { } trustEnd ? new DateTimeOffset(trustEnd, TimeSpan.Zero) : null,
            }));
            logger.LogInformation("Stored trust list loaded: {Count} keys", rows.Count);
        }
    }

    private async Task StoreAsync(TrustList list, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            db.TrustedKeys.RemoveRange(await db.TrustedKeys.ToListAsync(cancellationToken));
            db.TrustedKeys.AddRange(list.Select(k => new TrustedKeyEntity
            {
                Kid = k.Kid,
                SubjectPublicKeyInfo = k.SubjectPublicKeyInfo.ToArray(),
                ValidFromUtcTicks = k.ValidFrom.UtcTicks,
                ValidUntilUtcTicks = k.ValidUntil?.UtcTicks,
                TrustedUntilUtcTicks = k.TrustedUntil?.UtcTicks,
                Status = (int)k.Status,
            }));
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
        {
            logger.LogWarning("Storing the trust list failed ({Problem}); it is in use in memory", ex.GetType().Name);
        }
    }

    /// <summary>
    /// A token named a kid the list does not hold: fetch the list again unless that was done
    /// within the last <c>UnknownKidRefreshSeconds</c>. Concurrent callers share one fetch.
    /// Returns true when a fetch ran and the list may now hold more keys.
    /// </summary>
    public Task<bool> RefreshForUnknownKidAsync()
    {
        lock (_inflightGate)
        {
            if (_inflight is { IsCompleted: false } running)
            {
                return running;
            }

            var now = time.GetTimestamp();
            var min = (long)(options.Value.UnknownKidRefreshSeconds * time.TimestampFrequency);
            if (now - _lastUnscheduledFetchTicks < min)
            {
                return Task.FromResult(false);
            }

            _lastUnscheduledFetchTicks = now;
            _inflight = FetchWithDeadline();
            return _inflight;
        }

        async Task<bool> FetchWithDeadline()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.Value.RegistryDeadlineMilliseconds));
            try
            {
                return await RefreshAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}

/// <summary>Fetches the trust list at start and on schedule.</summary>
public sealed class TrustListRefresher(TrustListSource source, IOptions<VerificationOptions> options, ILogger<TrustListRefresher> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await source.LoadStoredAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool ok;
            try
            {
                ok = await source.RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Trust list refresh failed");
                ok = false;
            }

            // Until the first list arrives nothing verifies, so retry quickly (with backoff) then.
            TimeSpan wait;
            if (ok)
            {
                retry = TimeSpan.FromMilliseconds(250);
                wait = TimeSpan.FromSeconds(Math.Max(1, options.Value.TrustListRefreshSeconds));
            }
            else
            {
                wait = source.Current.Count == 0 ? retry : TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, options.Value.TrustListRefreshSeconds)));
                retry = TimeSpan.FromMilliseconds(Math.Min(5000, retry.TotalMilliseconds * 2));
            }

            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
