using System.Threading.Channels;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Events;
using Lingcheng.Talent.Registry.Keys;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using CardsTier = Lingcheng.Talent.Cards.Tier;

namespace Lingcheng.Talent.Registry.Cards;

/// <summary>
/// Issues cards in group commits (SPEC §7.1: 10 000 cards in ≤ 60 s). Concurrent IssueCard
/// calls are queued; one loop takes whatever is waiting (up to <see cref="MaxBatch"/>) and
/// issues it in ONE serializable transaction — one fsync for many cards instead of one each.
/// Each card is still decided on its own: a request that fails (unknown talent, card already in
/// force, reused request id) gets its own error and adds nothing, the others commit. Cards,
/// events, audit records and idempotency records are the same rows a single issue writes, with
/// consecutive sequences; a caller is answered only after the commit.
/// </summary>
public sealed class IssueBatcher(
    IServiceScopeFactory scopes,
    KeyRing keys,
    CardTokenIssuer issuer,
    CommitSignal signal,
    WriteGate gate,
    TimeProvider time,
    ILogger<IssueBatcher> logger) : BackgroundService
{
    public const int MaxBatch = 64;
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(IssueCardRequest Request, Caller Caller, int Months, TaskCompletionSource<IssueCardResponse> Result);

    public Task<IssueCardResponse> IssueAsync(IssueCardRequest request, Caller caller, int months, CancellationToken cancellationToken)
    {
        var pending = new Pending(request, caller, months, new TaskCompletionSource<IssueCardResponse>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw RpcErrors.Unavailable("SHUTTING_DOWN", "The registry is shutting down; retry.");
        }

        // The caller may stop waiting; the issue itself still completes (a retry with the same id gets its result).
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                await RunBatchAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left))
        {
            left.Result.TrySetException(RpcErrors.Unavailable("SHUTTING_DOWN", "The registry is shutting down; retry."));
        }
    }

    private async Task RunBatchAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        Dictionary<Pending, object>? outcomes = null;
        try
        {
            var key = await keys.GetActiveKeyAsync(cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TalentRegistryDbContext>();
            outcomes = await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
            {
                var results = new Dictionary<Pending, object>();
                var byRequestId = new Dictionary<string, Pending>(StringComparer.Ordinal);
                foreach (var pending in batch)
                {
                    try
                    {
                        if (byRequestId.TryGetValue(pending.Request.RequestId, out var earlier))
                        {
                            // The same id twice in one batch: a concurrent retry gets the first result.
                            results[pending] = earlier.Request.Equals(pending.Request)
                                ? results[earlier]
                                : RpcErrors.InvalidArgument("request_id", "was already used for a different request; use a new request id");
                            continue;
                        }

                        byRequestId[pending.Request.RequestId] = pending;
                        results[pending] = await IssueOneAsync(db, pending, key, ct);
                    }
                    catch (RpcException ex)
                    {
                        results[pending] = ex;
                    }
                }

                return results;
            }, cancellationToken), cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Issuing a batch of {Count} cards failed ({ExceptionType})", batch.Count, ex.GetType().Name);
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(ex is RpcException ? ex : RpcErrors.Unavailable("ISSUE_FAILED", "The card could not be issued; retry with the same request id."));
            }

            return;
        }

        signal.Notify();
        foreach (var pending in batch)
        {
            switch (outcomes[pending])
            {
                case IssueCardResponse response:
                    pending.Result.TrySetResult(response);
                    break;
                case Exception error:
                    pending.Result.TrySetException(error);
                    break;
            }
        }
    }

    /// <summary>Issues one card in the batch's transaction. Every refusal is thrown before anything is added.</summary>
    private async Task<IssueCardResponse> IssueOneAsync(TalentRegistryDbContext db, Pending pending, SigningKey key, CancellationToken ct)
    {
        var request = pending.Request;
        if (await Idempotency.FindAsync<IssueCardResponse>(db, "IssueCard", request.RequestId, request, ct) is { } first)
        {
            // The store keeps no token: a retry gets a fresh one of the card as it is now (none unless ACTIVE).
            var current = await db.Cards.AsNoTracking().SingleOrDefaultAsync(c => c.CardNumber == first.Card.CardNumber, ct);
            if (current is not null && CardStates.Effective(current, time.GetUtcNow().UtcDateTime) == CardState.Active)
            {
                first.QrText = issuer.IssueStatic(key, current.CardNumber, current.Version, (CardsTier)current.Tier, current.HolderDisplayName, current.ExpiresAt);
                await KeyRing.RecordStaticTokenAsync(db, key.KidHex, current, time.GetUtcNow().UtcDateTime, ct);
            }

            return first;
        }

        // One query for the holder and their card in force, if any.
        var talent = await db.Talents.AsNoTracking()
            .Where(t => t.TalentId == request.TalentId)
            .Select(t => new
            {
                t.FullName,
                t.Tier,
                Existing = db.Cards.Where(c => c.TalentId == t.TalentId && c.State != (int)CardState.Revoked).Select(c => c.CardNumber).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct) ?? throw RpcErrors.NotFound("Talent", request.TalentId);
        var existing = talent.Existing ?? db.Cards.Local.FirstOrDefault(c => c.TalentId == request.TalentId)?.CardNumber;
        if (existing is not null)
        {
            throw RpcErrors.FailedPrecondition("CARD_ALREADY_ISSUED",
                $"Talent {request.TalentId} already has card {existing}, which is not revoked; revoke it before issuing a new card, or re-issue it.");
        }

        var now = time.GetUtcNow();
        var year = now.ToOffset(ChinaStandardTime).Year % 100;
        var pendingSerial = db.Cards.Local.Where(c => c.Year == year).Select(c => (int?)c.Serial).Max();
        var serial = (pendingSerial ?? await db.Cards.Where(c => c.Year == year).MaxAsync(c => (int?)c.Serial, ct) ?? 0) + 1;
        if (serial > 999_999)
        {
            throw RpcErrors.FailedPrecondition("CARD_NUMBERS_EXHAUSTED", "All card numbers of this year are used.");
        }

        var card = new CardEntity
        {
            CardNumber = CardNumber.Create(year, serial),
            Year = year,
            Serial = serial,
            TalentId = request.TalentId,
            Version = 1,
            State = (int)CardState.Active,
            Tier = talent.Tier,
            HolderDisplayName = Masking.Name(talent.FullName),
            IssuedAt = now.UtcDateTime,
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(now.AddMonths(pending.Months).ToUnixTimeSeconds()).UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };
        db.Cards.Add(card);
        await CardLifecycle.AppendEventAsync(db, card, CardEventType.Issued, now, ct);
        await AuditChain.AppendAsync(db, new AuditEntry(pending.Caller.AuditPrincipal, pending.Caller.Agency, "IssueCard", card.CardNumber, "OK",
            $"talent {card.TalentId}; valid {pending.Months} months"), now, ct);
        var qrText = issuer.IssueStatic(key, card.CardNumber, card.Version, (CardsTier)card.Tier, card.HolderDisplayName, card.ExpiresAt);
        // A new card number: no earlier row to merge with (KeyRing.RecordStaticTokenAsync for the general case).
        db.SignedTokens.Add(new SignedTokenEntity { Kid = key.KidHex, CardNumber = card.CardNumber, CardVersion = card.Version, ExpiresAt = card.ExpiresAt, LastSignedAt = now.UtcDateTime });
        var result = new IssueCardResponse { Card = CardStates.ToProto(card, now.UtcDateTime) };
        Idempotency.Add(db, "IssueCard", request.RequestId, request, result, now); // without the token
        return new IssueCardResponse { Card = result.Card, QrText = qrText };
    }
}
