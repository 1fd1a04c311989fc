using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>The benefit catalogue: the seed, listing, and the HR bureau's edits taking effect at once.</summary>
public sealed class CatalogueTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    private static UpdateBenefitRequest Update(Benefit benefit, params string[] paths)
    {
        var request = new UpdateBenefitRequest { RequestId = "upd-" + Guid.NewGuid().ToString("N"), Benefit = benefit, UpdateMask = new FieldMask() };
        request.UpdateMask.Paths.AddRange(paths);
        return request;
    }

    [Fact]
    public async Task The_catalogue_lists_the_16_seeded_benefits_in_order_to_any_role()
    {
        // Other tests in this class switch a benefit off; inactive ones are listed only on request.
        var response = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { IncludeInactive = true }, Service.AsTalent(CardFeed.NewNumber()));

        Assert.Equal(16, response.Benefits.Count);
        Assert.Equal("MEDICAL_GREEN_CHANNEL", response.Benefits[0].Code);
        var scenic = response.Benefits.Single(b => b.Code == "SCENIC_SPOT_ENTRY");
        Assert.Equal((QuotaPeriod.PerCalendarYear, 12, true), (scenic.QuotaPeriod, scenic.QuotaLimit, scenic.Active));
        Assert.Equal(["CULTOUR"], scenic.ProviderAgencyCodes);
        Assert.Equal([Tier.A, Tier.B, Tier.C, Tier.D], scenic.EligibleTiers);
        Assert.Empty(response.NextPageToken);
    }

    [Fact]
    public async Task Listing_filters_by_agency_and_pages()
    {
        var gov = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { AgencyCode = "TAX" }, Service.AsAgency("TAX"));
        Assert.Equal(["GOV_SERVICE_GREEN_CHANNEL"], gov.Benefits.Select(b => b.Code));

        var codes = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 5, PageToken = token, IncludeInactive = true }, Service.AsAuditor());
            codes.AddRange(page.Benefits.Select(b => b.Code));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(4, pages);
        Assert.Equal(16, codes.Distinct().Count());
        Assert.Equal(["agency_code"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { AgencyCode = "NOPE" }, Service.AsAuditor())));
        Assert.Equal(["page_token"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { PageToken = "garbage!" }, Service.AsAuditor())));
    }

    [Fact]
    public async Task Paging_follows_AIP_158_a_large_page_size_is_coerced_a_negative_one_refused_and_a_token_holds_to_its_list_and_filters()
    {
        // Above the maximum is read as the maximum (200), not refused: all 16 benefits on one page.
        var all = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 5000, IncludeInactive = true }, Service.AsAuditor());
        Assert.Equal(16, all.Benefits.Count);
        Assert.Equal("", all.NextPageToken);

        Assert.Equal(["page_size"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { PageSize = -1 }, Service.AsAuditor())));

        // A token is opaque and tied to its list and filters: reused with other filters, or on another list, it is refused.
        var first = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 5, IncludeInactive = true }, Service.AsAuditor());
        Assert.NotEqual("", first.NextPageToken);
        Assert.Equal(["page_token"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.ListBenefitsAsync(
            new ListBenefitsRequest { PageSize = 5, IncludeInactive = false, PageToken = first.NextPageToken }, Service.AsAuditor())));
        Assert.Equal(["page_token"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.ListRedemptionsAsync(
            new ListRedemptionsRequest { CardNumber = "LC260002310", PageToken = first.NextPageToken }, Service.AsHrOfficer())));
    }

    [Fact]
    public async Task An_UpdateBenefit_change_takes_effect_at_once_and_is_kept_in_the_history()
    {
        // TITLE_EVALUATION_FAST_TRACK: HRSS, A–D, once a year.
        var card = await Service.Cards.IssueAsync(Tier.D);
        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "TITLE_EVALUATION_FAST_TRACK", "HRSS")).Status);
        Assert.Equal(RedemptionStatus.QuotaExhausted, (await Service.RedeemAsync(card, "TITLE_EVALUATION_FAST_TRACK", "HRSS")).Status);

        var raised = await Service.Client.UpdateBenefitAsync(Update(new Benefit { Code = "TITLE_EVALUATION_FAST_TRACK", QuotaLimit = 2 }, "quota_limit"), Service.AsHrOfficer());
        Assert.Equal((2, 2L), (raised.Benefit.QuotaLimit, raised.Benefit.Revision));
        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "TITLE_EVALUATION_FAST_TRACK", "HRSS")).Status);

        var tiers = new Benefit { Code = "TITLE_EVALUATION_FAST_TRACK", QuotaLimit = 5 };
        tiers.EligibleTiers.AddRange([Tier.A, Tier.B]);
        await Service.Client.UpdateBenefitAsync(Update(tiers, "eligible_tiers", "quota_limit"), Service.AsHrOfficer());
        Assert.Equal(RedemptionStatus.TierNotEligible, (await Service.RedeemAsync(card, "TITLE_EVALUATION_FAST_TRACK", "HRSS")).Status);

        var moved = new Benefit { Code = "TITLE_EVALUATION_FAST_TRACK", Active = false };
        moved.EligibleTiers.AddRange([Tier.A, Tier.B, Tier.C, Tier.D]);
        moved.ProviderAgencyCodes.AddRange(["HRSS", "SCITECH"]);
        var last = await Service.Client.UpdateBenefitAsync(Update(moved, "eligible_tiers", "provider_agency_codes", "active"), Service.AsHrOfficer());
        Assert.Equal(RedemptionStatus.BenefitInactive, (await Service.RedeemAsync(card, "TITLE_EVALUATION_FAST_TRACK", "SCITECH")).Status);
        Assert.Equal(4L, last.Benefit.Revision);

        var listed = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { AgencyCode = "SCITECH" }, Service.AsAuditor());
        Assert.DoesNotContain(listed.Benefits, b => b.Code == "TITLE_EVALUATION_FAST_TRACK"); // inactive: hidden unless asked
        await using var db = Service.OpenDatabase();
        var history = await db.BenefitRevisions.Where(r => r.Code == "TITLE_EVALUATION_FAST_TRACK").OrderBy(r => r.Revision).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([1L, 2L, 3L, 4L], history.Select(h => h.Revision));
        Assert.Equal([1, 2, 5, 5], history.Select(h => h.QuotaLimit));
        Assert.Equal("hr_officer:hr-officer-1", history[3].ChangedBy);
    }

    [Fact]
    public async Task UpdateBenefit_validates_the_result_naming_each_bad_field_and_changes_nothing()
    {
        var bad = new Benefit { Code = "MEDICAL_INSURANCE_SERVICE", Name = "" };
        bad.ProviderAgencyCodes.AddRange(["MEDINS", "BANK_OF_NOWHERE"]);
        bad.EligibleTiers.Add(Tier.Unspecified);
        Assert.Equal(["benefit.name", "benefit.provider_agency_codes", "benefit.eligible_tiers"],
            await RpcAssert.BadFieldsAsync(async () => await Service.Client.UpdateBenefitAsync(Update(bad, "name", "provider_agency_codes", "eligible_tiers"), Service.AsHrOfficer())));

        // Unlimited with a limit, and a per-year quota of 0: period and limit must agree.
        Assert.Equal(["benefit.quota_limit"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.UpdateBenefitAsync(
            Update(new Benefit { Code = "SCENIC_SPOT_ENTRY", QuotaPeriod = QuotaPeriod.Unlimited }, "quota_period"), Service.AsHrOfficer())));
        Assert.Equal(["benefit.quota_limit"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.UpdateBenefitAsync(
            Update(new Benefit { Code = "FREE_PUBLIC_TRANSIT", QuotaPeriod = QuotaPeriod.PerCalendarYear }, "quota_period"), Service.AsHrOfficer())));
        Assert.Equal(["request_id", "update_mask"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.UpdateBenefitAsync(
            new UpdateBenefitRequest { Benefit = new Benefit { Code = "SCENIC_SPOT_ENTRY" }, UpdateMask = new FieldMask { Paths = { "revision" } } }, Service.AsHrOfficer())));
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, async () => await Service.Client.UpdateBenefitAsync(
            Update(new Benefit { Code = "FREE_LUNCH", Active = true }, "active"), Service.AsHrOfficer()));

        var now = await Service.Client.ListBenefitsAsync(new ListBenefitsRequest { IncludeInactive = true }, Service.AsAuditor());
        var scenic = now.Benefits.Single(b => b.Code == "SCENIC_SPOT_ENTRY");
        Assert.Equal((QuotaPeriod.PerCalendarYear, 12, 1L), (scenic.QuotaPeriod, scenic.QuotaLimit, scenic.Revision));
    }

    [Fact]
    public async Task UpdateBenefit_is_idempotent_by_request_id()
    {
        var request = Update(new Benefit { Code = "HUKOU_EXIT_ENTRY", Description = "Household registration, passports and permits" }, "description");

        var first = await Service.Client.UpdateBenefitAsync(request, Service.AsHrOfficer());
        var again = await Service.Client.UpdateBenefitAsync(request, Service.AsHrOfficer());

        Assert.Equal(first.Benefit, again.Benefit);
        await using var db = Service.OpenDatabase();
        Assert.Equal(2, await db.BenefitRevisions.CountAsync(r => r.Code == "HUKOU_EXIT_ENTRY", TestContext.Current.CancellationToken));
        request.Benefit.Description = "something else";
        Assert.Equal(["request_id"], await RpcAssert.BadFieldsAsync(async () => await Service.Client.UpdateBenefitAsync(request, Service.AsHrOfficer())));
    }
}
