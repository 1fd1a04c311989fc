using Lingcheng.Talent.ServiceDefaults.Time;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Cards;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Paging;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Redemptions;

/// <summary>The read side: a card's entitlements and history, and programme statistics.</summary>
public sealed class EntitlementReader(EntitlementDbContext db, CardStateStore cards, TimeProvider time)
{
    private const string RedemptionPageKind = "redemptions";

    public async Task<ListCardEntitlementsResponse> ListCardEntitlementsAsync(ListCardEntitlementsRequest request, Caller caller, CancellationToken ct)
    {
        caller.EnsureMayReadCard(request.CardNumber);
        var v = new FieldViolations();
        CheckCardNumber(v, request.CardNumber);
        if (request.AgencyCode.Length > 0)
        {
            v.Check(Agencies.IsKnown(request.AgencyCode), "agency_code", "is not one of the 18 agency codes (SPEC §3.4)");
        }

        v.ThrowIfAny();

        var card = await cards.FindAsync(request.CardNumber, null, ct) ?? throw RpcErrors.NotFound("Card", request.CardNumber);
        var now = time.GetUtcNow();
        var benefits = await db.Benefits.AsNoTracking().OrderBy(b => b.SortOrder).ToListAsync(ct);
        var year = ChinaTime.PeriodOf(QuotaPeriod.PerCalendarYear, now);
        var counters = await db.UsageCounters.AsNoTracking()
            .Where(u => u.CardNumber == request.CardNumber && (u.Period == ChinaTime.CardPeriod || u.Period == year))
            .ToDictionaryAsync(u => (u.BenefitCode, u.Period), u => u.Used, ct);

        var response = new ListCardEntitlementsResponse
        {
            CardNumber = card.CardNumber,
            CardState = card.EffectiveState(now),
            Tier = card.Tier,
        };
        if (await cards.GetStateAsOfAsync(db, ct) is { } asOf)
        {
            response.StateAsOf = Timestamp.FromDateTimeOffset(asOf);
        }

        foreach (var benefit in benefits.Where(b => request.AgencyCode.Length == 0 || b.IsProvidedBy(request.AgencyCode)))
        {
            var period = ChinaTime.PeriodOf(benefit.QuotaPeriod, now);
            var used = counters.GetValueOrDefault((benefit.Code, period));
            response.Entitlements.Add(EntitlementRules.Compute(benefit, card, used, now));
        }

        return response;
    }

    public async Task<ListRedemptionsResponse> ListRedemptionsAsync(ListRedemptionsRequest request, Caller caller, CancellationToken ct)
    {
        caller.EnsureMayReadCard(request.CardNumber);
        var v = new FieldViolations();
        CheckCardNumber(v, request.CardNumber);
        var pageSize = PageTokens.Size(request.PageSize, v);
        (DateTime Time, string Id)? after = null;
        if (PageTokens.Parse(request.PageToken, RedemptionPageKind, request.CardNumber, v) is { } position)
        {
            var bar = position.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(position.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTime.MaxValue.Ticks)
            {
                after = (new DateTime(ticks, DateTimeKind.Utc), position[(bar + 1)..]);
            }
            else
            {
                v.Add("page_token", "is not a token of this list; pass next_page_token of the previous response unchanged");
            }
        }

        v.ThrowIfAny();

        var query = db.Redemptions.AsNoTracking().Where(r => r.CardNumber == request.CardNumber);
        if (after is var (t, id))
        {
            query = query.Where(r => r.RedeemTimeUtc < t || (r.RedeemTimeUtc == t && string.Compare(r.RedemptionId, id) < 0));
        }

        var page = await query.OrderByDescending(r => r.RedeemTimeUtc).ThenByDescending(r => r.RedemptionId).Take(pageSize + 1).ToListAsync(ct);
        var response = new ListRedemptionsResponse();
        response.Redemptions.AddRange(page.Take(pageSize).Select(r => r.ToProto()));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = PageTokens.Create(RedemptionPageKind, request.CardNumber,
                last.RedeemTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) + "|" + last.RedemptionId);
        }

        return response;
    }

    public async Task<GetUsageStatisticsResponse> GetUsageStatisticsAsync(GetUsageStatisticsRequest request, CancellationToken ct)
    {
        var v = new FieldViolations();
        v.Check(request.Year == 0 || request.Year is >= 2000 and <= 2100, "year", "must be 0 (this year) or a year between 2000 and 2100");
        if (request.BenefitCode.Length > 0)
        {
            v.Check(await db.Benefits.AsNoTracking().AnyAsync(b => b.Code == request.BenefitCode, ct), "benefit_code", "is not a benefit of the catalogue");
        }

        if (request.AgencyCode.Length > 0)
        {
            v.Check(Agencies.IsKnown(request.AgencyCode), "agency_code", "is not one of the 18 agency codes (SPEC §3.4)");
        }

        v.ThrowIfAny();

        var year = request.Year == 0 ? ChinaTime.ToChina(time.GetUtcNow()).Year : request.Year;
        var query = db.Redemptions.AsNoTracking().Where(r => r.CstYear == year);
        if (request.BenefitCode.Length > 0)
        {
            query = query.Where(r => r.BenefitCode == request.BenefitCode);
        }

        if (request.AgencyCode.Length > 0)
        {
            query = query.Where(r => r.AgencyCode == request.AgencyCode);
        }

        var rows = await query
            .GroupBy(r => new { r.CstMonth, r.BenefitCode, r.AgencyCode })
            .Select(g => new
            {
                g.Key.CstMonth,
                g.Key.BenefitCode,
                g.Key.AgencyCode,
                Redemptions = g.Count(r => !r.Cancelled),
                Cancellations = g.Count(r => r.Cancelled),
            })
            .ToListAsync(ct);

        var response = new GetUsageStatisticsResponse();
        response.Statistics.AddRange(rows
            .OrderBy(r => r.CstMonth, StringComparer.Ordinal)
            .ThenBy(r => r.BenefitCode, StringComparer.Ordinal)
            .ThenBy(r => r.AgencyCode, StringComparer.Ordinal)
            .Select(r => new UsageStatistic
            {
                Month = r.CstMonth,
                BenefitCode = r.BenefitCode,
                AgencyCode = r.AgencyCode,
                Redemptions = r.Redemptions,
                Cancellations = r.Cancellations,
            }));
        return response;
    }

    private static void CheckCardNumber(FieldViolations v, string cardNumber) =>
        v.Check(CardNumber.IsValid(cardNumber), "card_number", "must be a card number such as LC260002310 with a correct check character");
}
