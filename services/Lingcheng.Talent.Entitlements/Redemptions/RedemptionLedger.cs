using Lingcheng.Talent.ServiceDefaults.Time;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Cards;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Entitlements.Usage;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Redemptions;

/// <summary>
/// Records and cancels uses of benefits (SPEC §5.2, §7.2). Each call is one serializable write
/// transaction (<see cref="WriteTransactions"/>) that holds the whole decision:
/// <list type="bullet">
/// <item>exactly once: the redemption id is the primary key of the Redemptions table and is looked up
/// first inside the transaction, so a concurrent or later repeat resolves to the first result;</item>
/// <item>never beyond the quota: one UsageCounters row per card line, benefit and period is raised with
/// a conditional <c>UPDATE … SET Used = Used + 1 WHERE Used &lt; limit</c>; the database applies it
/// atomically, so even a lost race cannot push the count over the limit, on SQLite or SQL Server;</item>
/// <item>the redemption row, the counter, its entry in the usage feed (<see cref="UsageFeed"/>) and the
/// audit record commit together or not at all.</item>
/// </list>
/// </summary>
public sealed class RedemptionLedger(EntitlementDbContext db, CardStateStore cards, CommitSignal signal, TimeProvider time)
{
    /// <summary>How long the recording agency may cancel a use.</summary>
    public static readonly TimeSpan CancelWindow = TimeSpan.FromHours(24);

    public const int MaxCancelReasonLength = 500;

    public async Task<EntitlementServiceRedeemResponse> RedeemAsync(EntitlementServiceRedeemRequest request, Caller caller, CancellationToken ct)
    {
        var v = new FieldViolations();
        v.RequestId(request.RedemptionId, "redemption_id");
        v.Check(CardNumber.IsValid(request.CardNumber), "card_number", "must be a card number such as LC260002310 with a correct check character");
        v.Check(request.CardVersion >= 1, "card_version", "must be the card version of the token presented (1 or more)");
        v.Check(Agencies.IsKnown(request.AgencyCode), "agency_code", "is not one of the 18 agency codes (SPEC §3.4)");
        v.Check(request.TerminalId.Length <= 64 && request.TerminalId.All(c => c is >= ' ' and < '\x7f'), "terminal_id",
            "must be at most 64 printable ASCII characters");
        var benefitKnown = request.BenefitCode.Length is > 0 and <= 64
            && await db.Benefits.AsNoTracking().AnyAsync(b => b.Code == request.BenefitCode, ct);
        v.Check(benefitKnown, "benefit_code", "is not a benefit of the catalogue");
        v.ThrowIfAny();

        // Outside the transaction: a card the feed has not brought yet (or a newer version than we
        // know) is looked up once in the registry and stored, so the decision below reads it.
        await cards.FindAsync(request.CardNumber, request.CardVersion, ct);
        var now = time.GetUtcNow();

        var result = await WriteTransactions.RunAsync(db, async token =>
        {
            var benefit = await db.Benefits.AsNoTracking().FirstAsync(b => b.Code == request.BenefitCode, token);
            var card = await db.CardStates.AsNoTracking().FirstOrDefaultAsync(c => c.CardNumber == request.CardNumber, token);
            var period = ChinaTime.PeriodOf(benefit.QuotaPeriod, now);

            var first = await db.Redemptions.AsNoTracking().FirstOrDefaultAsync(r => r.RedemptionId == request.RedemptionId, token);
            if (first is not null)
            {
                if (first.CardNumber != request.CardNumber || first.BenefitCode != request.BenefitCode || first.AgencyCode != request.AgencyCode)
                {
                    throw RpcErrors.InvalidArgument("redemption_id",
                        "was already used for a different card, benefit or agency; use a new redemption id for each use");
                }

                await AuditAsync(caller, request, RedemptionStatus.AlreadyRedeemed, first.Period, now, token);
                var usedNow = await EntitlementRules.UsedAsync(db, request.CardNumber, benefit.Code, period, token);
                return new EntitlementServiceRedeemResponse
                {
                    Status = RedemptionStatus.AlreadyRedeemed,
                    Redemption = first.ToProto(),
                    Entitlement = benefit.IsProvidedBy(request.AgencyCode) ? EntitlementRules.Compute(benefit, card, usedNow, now) : null,
                    Message = "This use was already recorded; nothing changed.",
                };
            }

            var (status, message) = Decide(request, card, benefit, now);
            if (status == RedemptionStatus.Redeemed && benefit.IsLimited() && !await TryConsumeAsync(request.CardNumber, benefit, period, now, token))
            {
                (status, message) = (RedemptionStatus.QuotaExhausted,
                    $"The quota of {benefit.Code} ({benefit.QuotaLimit} {PeriodWords(benefit.QuotaPeriod)}) is used up.");
            }

            var response = new EntitlementServiceRedeemResponse { Status = status, Message = message };
            if (status == RedemptionStatus.Redeemed)
            {
                var redemption = new RedemptionEntity
                {
                    RedemptionId = request.RedemptionId,
                    CardNumber = request.CardNumber,
                    CardVersion = request.CardVersion,
                    BenefitCode = benefit.Code,
                    AgencyCode = request.AgencyCode,
                    TerminalId = request.TerminalId,
                    RedeemTimeUtc = now.UtcDateTime,
                    Period = period,
                    CstMonth = ChinaTime.MonthOf(now),
                    CstYear = ChinaTime.ToChina(now).Year,
                    RecordedBy = caller.AuditPrincipal,
                };
                db.Redemptions.Add(redemption);
                response.Redemption = redemption.ToProto();
                if (benefit.IsLimited())
                {
                    response.UsageSequence = await UsageFeed.AppendAsync(db, request.CardNumber, benefit.Code, period, now, token);
                }
            }

            await AuditAsync(caller, request, status, period, now, token);
            if (benefit.IsProvidedBy(request.AgencyCode))
            {
                // Use and quota only for the agency's own benefits: another department's are none of its business.
                var used = await EntitlementRules.UsedAsync(db, request.CardNumber, benefit.Code, period, token);
                response.Entitlement = EntitlementRules.Compute(benefit, card, used, now);
            }

            return response;
        }, ct);
        if (result.UsageSequence > 0)
        {
            signal.Notify();
        }

        return result;
    }

    public async Task<EntitlementServiceCancelRedemptionResponse> CancelAsync(EntitlementServiceCancelRedemptionRequest request, Caller caller, CancellationToken ct)
    {
        var v = new FieldViolations();
        v.RequestId(request.RedemptionId, "redemption_id");
        v.Check(Agencies.IsKnown(request.AgencyCode), "agency_code", "is not one of the 18 agency codes (SPEC §3.4)");
        v.Check(request.Reason.Length <= MaxCancelReasonLength && !Echo.HasControlCharacters(request.Reason), "reason",
            $"must be at most {MaxCancelReasonLength} characters, without control characters");
        v.ThrowIfAny();
        var now = time.GetUtcNow();

        // Refusals are audited too, so the delegate returns them and they are thrown after the commit.
        var (response, refusal) = await WriteTransactions.RunAsync(db, async token =>
        {
            var redemption = await db.Redemptions.FirstOrDefaultAsync(r => r.RedemptionId == request.RedemptionId, token)
                ?? throw RpcErrors.NotFound("Redemption", request.RedemptionId);

            RpcException? refused = null;
            string outcome;
            long sequence = 0;
            if (redemption.AgencyCode != request.AgencyCode)
            {
                outcome = "NOT_REDEEMING_AGENCY";
                refused = RpcErrors.PermissionDenied(outcome, "Only the agency that recorded a use may cancel it.");
            }
            else if (redemption.Cancelled)
            {
                outcome = "ALREADY_CANCELLED";
            }
            else if (now - EntitlementRules.AsUtc(redemption.RedeemTimeUtc) > CancelWindow)
            {
                outcome = "CANCEL_WINDOW_PASSED";
                refused = RpcErrors.FailedPrecondition(outcome, "A use can be cancelled only within 24 hours of being recorded.");
            }
            else
            {
                outcome = "OK";
                redemption.Cancelled = true;
                redemption.CancelTimeUtc = now.UtcDateTime;
                redemption.CancelReason = request.Reason.Trim();
                if (redemption.Period.Length > 0)
                {
                    await db.UsageCounters
                        .Where(u => u.CardNumber == redemption.CardNumber && u.BenefitCode == redemption.BenefitCode && u.Period == redemption.Period && u.Used > 0)
                        .ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used - 1).SetProperty(u => u.UpdatedAt, now), token);
                    sequence = await UsageFeed.AppendAsync(db, redemption.CardNumber, redemption.BenefitCode, redemption.Period, now, token);
                }
            }

            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, request.AgencyCode, "CancelRedemption", redemption.CardNumber, outcome,
                $"redemption_id={redemption.RedemptionId}; benefit={redemption.BenefitCode}; period={redemption.Period}"), now, token);
            return (refused is null ? new EntitlementServiceCancelRedemptionResponse { Redemption = redemption.ToProto(), UsageSequence = sequence } : null, refused);
        }, ct);
        if (response?.UsageSequence > 0)
        {
            signal.Notify();
        }

        return response ?? throw refusal!;
    }

    /// <summary>Everything but the quota, in a fixed order: card, agency, benefit switched on, tier.</summary>
    private static (RedemptionStatus Status, string Message) Decide(EntitlementServiceRedeemRequest request, CardStateEntity? card, BenefitEntity benefit, DateTimeOffset now)
    {
        if (card is null)
        {
            return (RedemptionStatus.CardNotValid, "The card is not known.");
        }

        var state = card.EffectiveState(now);
        if (state != CardState.Active)
        {
            return (RedemptionStatus.CardNotValid, state switch
            {
                CardState.Suspended => "The card is suspended.",
                CardState.Revoked => "The card is revoked.",
                CardState.Expired => "The card has expired.",
                _ => "The card is not valid.",
            });
        }

        if (request.CardVersion < card.Version)
        {
            return (RedemptionStatus.CardNotValid, $"This card (version {request.CardVersion}) was replaced by version {card.Version}; the old card no longer works.");
        }

        if (request.CardVersion > card.Version)
        {
            return (RedemptionStatus.CardNotValid, $"Card version {request.CardVersion} is not known.");
        }

        if (!benefit.IsProvidedBy(request.AgencyCode))
        {
            return (RedemptionStatus.NotProvidedByAgency, $"{request.AgencyCode} does not provide {benefit.Code}.");
        }

        if (!benefit.Active)
        {
            return (RedemptionStatus.BenefitInactive, $"{benefit.Code} is currently switched off.");
        }

        if (!benefit.IsEligible(card.Tier))
        {
            return (RedemptionStatus.TierNotEligible, $"The holder's tier is not entitled to {benefit.Code}.");
        }

        return (RedemptionStatus.Redeemed, "One use recorded.");
    }

    /// <summary>
    /// Takes one unit of the period's quota, or reports that none is left. The UPDATE's own condition
    /// is the guard, not a value read earlier, so it holds whatever else runs beside it.
    /// </summary>
    private async Task<bool> TryConsumeAsync(string cardNumber, BenefitEntity benefit, string period, DateTimeOffset now, CancellationToken ct)
    {
        var limit = benefit.QuotaLimit;
        var counter = db.UsageCounters.Where(u => u.CardNumber == cardNumber && u.BenefitCode == benefit.Code && u.Period == period);
        if (await counter.Where(u => u.Used < limit)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Used, u => u.Used + 1).SetProperty(u => u.UpdatedAt, now), ct) == 1)
        {
            return true;
        }

        if (limit < 1 || await counter.AnyAsync(ct))
        {
            return false;
        }

        // First use in this period. Two writers inserting at once collide on the primary key and
        // the write transaction retries, finding the row the winner made.
        db.UsageCounters.Add(new UsageCounterEntity { CardNumber = cardNumber, BenefitCode = benefit.Code, Period = period, Used = 1, UpdatedAt = now });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private Task AuditAsync(Caller caller, EntitlementServiceRedeemRequest request, RedemptionStatus status, string period, DateTimeOffset now, CancellationToken ct) =>
        AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, request.AgencyCode, "Redeem", request.CardNumber, StatusName(status),
            $"redemption_id={request.RedemptionId}; benefit={request.BenefitCode}; card_version={request.CardVersion}; terminal={request.TerminalId}; period={period}"), now, ct);

    /// <summary><c>REDEEMED</c>, <c>QUOTA_EXHAUSTED</c>, …: the enum value without its prefix.</summary>
    public static string StatusName(RedemptionStatus status) =>
        status == RedemptionStatus.Unspecified || !Enum.IsDefined(status) ? status.ToString() : ProtoNames.Short(status);

    private static string PeriodWords(QuotaPeriod period) => period switch
    {
        QuotaPeriod.PerCalendarYear => "per calendar year",
        QuotaPeriod.PerCard => "per card",
        _ => "",
    };
}
