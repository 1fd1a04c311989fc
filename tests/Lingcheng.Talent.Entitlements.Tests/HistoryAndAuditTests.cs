using Lingcheng.Talent.ServiceDefaults.Time;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Use history, statistics per benefit, agency and month, and the hash-chained audit. Moves its host's clock.</summary>
public sealed class HistoryAndAuditTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_history_lists_a_cards_uses_newest_first_across_pages_with_cancellations()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var ids = new List<string>();
        foreach (var (benefit, agency) in new[] { ("MEDICAL_GREEN_CHANNEL", "HOSP_PEOPLE"), ("SCENIC_SPOT_ENTRY", "CULTOUR"), ("FREE_PUBLIC_TRANSIT", "TRANSPORT"), ("HUKOU_EXIT_ENTRY", "PSB"), ("SCENIC_SPOT_ENTRY", "CULTOUR") })
        {
            ids.Add((await Service.RedeemAsync(card, benefit, agency)).Redemption.RedemptionId);
            Service.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        await Service.Client.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest { RedemptionId = ids[1], AgencyCode = "CULTOUR", Reason = "test" }, Service.AsService("CULTOUR"));

        var seen = new List<Redemption>();
        var token = "";
        do
        {
            var page = await Service.Client.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card, PageSize = 2, PageToken = token }, Service.AsHrOfficer());
            seen.AddRange(page.Redemptions);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(Enumerable.Reverse(ids), seen.Select(r => r.RedemptionId));
        Assert.True(seen.Single(r => r.RedemptionId == ids[1]).Cancelled);
        Assert.Equal("PSB", seen[1].AgencyCode);
    }

    [Fact]
    public async Task Statistics_count_uses_and_cancellations_per_benefit_agency_and_month()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var a = await Service.RedeemAsync(card, "SPORTS_CULTURE_VENUES", "EDU");
        await Service.RedeemAsync(card, "SPORTS_CULTURE_VENUES", "EDU");
        await Service.RedeemAsync(card, "SPORTS_CULTURE_VENUES", "CULTOUR");
        await Service.Client.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest { RedemptionId = a.Redemption.RedemptionId, AgencyCode = "EDU" }, Service.AsService("EDU"));
        var month = ChinaTime.MonthOf(Service.Clock.GetUtcNow());

        var stats = await Service.Client.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { BenefitCode = "SPORTS_CULTURE_VENUES" }, Service.AsHrOfficer());

        var rows = stats.Statistics.Where(s => s.Month == month).ToList();
        Assert.Equal(["CULTOUR", "EDU"], rows.Select(r => r.AgencyCode));
        Assert.Equal((1L, 0L), (rows[0].Redemptions, rows[0].Cancellations));
        Assert.Equal((1L, 1L), (rows[1].Redemptions, rows[1].Cancellations));
        Assert.Equal(["year"], await RpcAssert.BadFieldsAsync(async () =>
            await Service.Client.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { Year = 1900 }, Service.AsHrOfficer())));
    }

    [Fact]
    public async Task Every_redemption_refusal_and_cancellation_is_in_an_intact_audit_chain_that_detects_tampering()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);
        var ok = await Service.RedeemAsync(card, "RECUPERATION", "UNION"); // tier D: refused
        var use = await Service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT");
        await Service.Client.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest { RedemptionId = use.Redemption.RedemptionId, AgencyCode = "TRANSPORT" }, Service.AsService("TRANSPORT"));
        Assert.Equal(RedemptionStatus.TierNotEligible, ok.Status);

        await using (var db = Service.OpenDatabase())
        {
            var records = await db.AuditRecords.Where(r => r.Target == card).OrderBy(r => r.Sequence).ToListAsync(Ct);
            Assert.Equal([("Redeem", "TIER_NOT_ELIGIBLE"), ("Redeem", "REDEEMED"), ("CancelRedemption", "OK")], records.Select(r => (r.Action, r.Outcome)));
            Assert.Equal("UNION", records[0].Agency);
            Assert.Equal("agency_terminal:TRANSPORT/TRANSPORT-desk-1", records[1].Principal); // the terminal whose token the verification service forwarded
        }

        var report = (await Service.Client.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), Service.AsAuditor())).Report;
        Assert.True(report.Intact, report.Detail);

        await using (var db = Service.OpenDatabase())
        {
            await db.AuditRecords.Where(r => r.Target == card && r.Outcome == "REDEEMED").ExecuteUpdateAsync(s => s.SetProperty(r => r.Agency, "CULTOUR"), Ct);
        }

        var broken = (await Service.Client.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), Service.AsHrOfficer())).Report;
        Assert.False(broken.Intact);
        Assert.True(broken.FirstBrokenSequence > 0);
    }
}
