using System.Globalization;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Entitlements.Usage;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.ServiceDefaults.Paging;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Catalogue;

/// <summary>
/// The benefit catalogue (SPEC §3.3): listing, and the HR bureau's edits. Rules are data: every
/// decision reads the catalogue row in its own transaction, so an edit applies to the next call,
/// with no cache to invalidate on any replica.
/// </summary>
public sealed class BenefitCatalogue(EntitlementDbContext db, CommitSignal signal, TimeProvider time)
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;
    public const int MaxQuotaLimit = 10_000;

    private const string PageKind = "benefits";

    /// <summary>The update_mask paths UpdateBenefit accepts.</summary>
    public static readonly IReadOnlyList<string> UpdatablePaths =
        ["name", "description", "provider_agency_codes", "eligible_tiers", "quota_period", "quota_limit", "active"];

    public async Task<ListBenefitsResponse> ListAsync(ListBenefitsRequest request, CancellationToken ct)
    {
        var v = new FieldViolations();
        var pageSize = PageTokens.Size(request.PageSize, v);
        var agency = request.AgencyCode;
        if (agency.Length > 0)
        {
            v.Check(Agencies.IsKnown(agency), "agency_code", "is not one of the 18 agency codes (SPEC §3.4)");
        }

        var filters = $"{agency}|{request.IncludeInactive}";
        var after = PageTokens.Parse(request.PageToken, PageKind, filters, v) is { } position
            && int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var order) ? order : (int?)null;
        v.ThrowIfAny();

        // 16 rows: filtering by provider in memory is simpler than parsing the stored list in SQL.
        var all = await db.Benefits.AsNoTracking().OrderBy(b => b.SortOrder).ToListAsync(ct);
        var page = all
            .Where(b => request.IncludeInactive || b.Active)
            .Where(b => agency.Length == 0 || b.IsProvidedBy(agency))
            .Where(b => after is null || b.SortOrder > after)
            .Take(pageSize + 1)
            .ToList();

        var response = new ListBenefitsResponse();
        response.Benefits.AddRange(page.Take(pageSize).Select(b => b.ToProto()));
        if (page.Count > pageSize)
        {
            response.NextPageToken = PageTokens.Create(PageKind, filters, page[pageSize - 1].SortOrder.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    public async Task<UpdateBenefitResponse> UpdateAsync(UpdateBenefitRequest request, Caller caller, CancellationToken ct)
    {
        var v = new FieldViolations();
        v.RequestId(request.RequestId);
        if (v.Check(request.Benefit is not null, "benefit", "is required"))
        {
            // Code-shaped or refused: a NOT_FOUND would echo a huge or hostile value back in the error.
            v.Check(request.Benefit!.Code is { Length: > 0 and <= 64 } code && code.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'),
                "benefit.code", "is required: a benefit code such as ANNUAL_HEALTH_CHECK (A–Z, 0–9, _; up to 64)");
        }

        var paths = request.UpdateMask?.Paths.ToList() ?? [];
        v.Check(paths.Count > 0, "update_mask", "is required: name the fields to change (" + string.Join(", ", UpdatablePaths) + ")");
        foreach (var path in paths.Where(p => !UpdatablePaths.Contains(p)))
        {
            v.Add("update_mask", $"{Echo.Quote(path)} cannot be changed; allowed: {string.Join(", ", UpdatablePaths)}");
        }

        v.ThrowIfAny();
        var input = request.Benefit!;
        var now = time.GetUtcNow();

        var result = await WriteTransactions.RunAsync(db, async token =>
        {
            if (await Idempotency.FindAsync<UpdateBenefitResponse>(db, "UpdateBenefit", request.RequestId, request, token) is { } first)
            {
                return first;
            }

            var entity = await db.Benefits.FirstOrDefaultAsync(b => b.Code == input.Code, token)
                ?? throw RpcErrors.NotFound("Benefit", input.Code);
            Apply(entity, input, paths);
            entity.Revision++;
            entity.UpdatedAt = now;

            var changed = string.Join(",", paths.Distinct());
            db.BenefitRevisions.Add(BenefitRevisionEntity.From(entity, caller.AuditPrincipal, now, request.RequestId, changed));
            var response = new UpdateBenefitResponse { Benefit = entity.ToProto() };
            Idempotency.Add(db, "UpdateBenefit", request.RequestId, request, response, now);
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, "UpdateBenefit", entity.Code, "OK",
                $"revision={entity.Revision}; fields={changed}"), now, token);
            return response;
        }, ct);
        signal.Notify(); // the usage streams send the edited catalogue at once
        return result;
    }

    /// <summary>Copies the masked fields onto the entity and checks the result as a whole; throws INVALID_ARGUMENT naming each bad field.</summary>
    private static void Apply(BenefitEntity entity, Benefit input, IReadOnlyCollection<string> paths)
    {
        var v = new FieldViolations();
        if (paths.Contains("name"))
        {
            var name = input.Name.Trim();
            if (v.Check(name.Length is > 0 and <= MaxNameLength && !Echo.HasControlCharacters(name), "benefit.name", $"must be 1–{MaxNameLength} characters, without control characters"))
            {
                entity.Name = name;
            }
        }

        if (paths.Contains("description"))
        {
            var description = input.Description.Trim();
            if (v.Check(description.Length <= MaxDescriptionLength && !Echo.HasControlCharacters(description), "benefit.description",
                $"must be at most {MaxDescriptionLength} characters, without control characters"))
            {
                entity.Description = description;
            }
        }

        if (paths.Contains("provider_agency_codes"))
        {
            var codes = input.ProviderAgencyCodes.Select(c => c.Trim()).ToList();
            var ok = v.Check(codes.Count > 0, "benefit.provider_agency_codes", "must name at least one agency");
            foreach (var unknown in codes.Where(c => !Agencies.IsKnown(c)).Distinct())
            {
                ok = v.Check(false, "benefit.provider_agency_codes", $"{Echo.Quote(unknown)} is not one of the 18 agency codes (SPEC §3.4)");
            }

            ok &= v.Check(codes.Distinct(StringComparer.Ordinal).Count() == codes.Count, "benefit.provider_agency_codes", "must not repeat an agency");
            if (ok)
            {
                entity.ProviderAgencyCodes = string.Join(",", codes);
            }
        }

        if (paths.Contains("eligible_tiers"))
        {
            var tiers = input.EligibleTiers.ToList();
            var ok = v.Check(tiers.Count > 0, "benefit.eligible_tiers", "must name at least one tier");
            ok &= v.Check(tiers.All(t => BenefitRules.TierLetter(t) is not null), "benefit.eligible_tiers", "must be TIER_A, TIER_B, TIER_C or TIER_D");
            ok &= v.Check(tiers.Distinct().Count() == tiers.Count, "benefit.eligible_tiers", "must not repeat a tier");
            if (ok)
            {
                entity.EligibleTiers = new string(tiers.Order().Select(t => BenefitRules.TierLetter(t)!.Value).ToArray());
            }
        }

        if (paths.Contains("quota_period"))
        {
            if (v.Check(input.QuotaPeriod is QuotaPeriod.Unlimited or QuotaPeriod.PerCalendarYear or QuotaPeriod.PerCard,
                "benefit.quota_period", "must be QUOTA_PERIOD_UNLIMITED, QUOTA_PERIOD_PER_CALENDAR_YEAR or QUOTA_PERIOD_PER_CARD"))
            {
                entity.QuotaPeriod = input.QuotaPeriod;
            }
        }

        if (paths.Contains("quota_limit"))
        {
            entity.QuotaLimit = input.QuotaLimit;
        }

        if (paths.Contains("active"))
        {
            entity.Active = input.Active;
        }

        // Period and limit are checked together, on the benefit as it would be after the change.
        if (!v.HasViolations)
        {
            if (entity.QuotaPeriod == QuotaPeriod.Unlimited)
            {
                v.Check(entity.QuotaLimit == 0, "benefit.quota_limit",
                    "must be 0 when quota_period is QUOTA_PERIOD_UNLIMITED" + (paths.Contains("quota_limit") ? "" : " (add quota_limit to update_mask)"));
            }
            else
            {
                v.Check(entity.QuotaLimit is >= 1 and <= MaxQuotaLimit, "benefit.quota_limit",
                    $"must be 1–{MaxQuotaLimit} when quota_period is {entity.QuotaPeriod.ToWireName()}" + (paths.Contains("quota_limit") ? "" : " (add quota_limit to update_mask)"));
            }
        }

        v.ThrowIfAny();
    }
}

/// <summary>Proto enum names as a client sees them.</summary>
internal static class QuotaPeriodNames
{
    public static string ToWireName(this QuotaPeriod period) =>
        Enum.IsDefined(period) ? ProtoNames.Of(period) : ProtoNames.Of(QuotaPeriod.Unspecified);
}
