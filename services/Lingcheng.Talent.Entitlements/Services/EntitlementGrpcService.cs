using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Entitlements.Redemptions;
using Lingcheng.Talent.Entitlements.Usage;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Entitlements.Services;

/// <summary>gRPC front of the entitlement service (SPEC §5.2). Each RPC states the roles that may call it; the work is in the domain classes.</summary>
public sealed class EntitlementGrpcService(
    BenefitCatalogue catalogue,
    RedemptionLedger ledger,
    EntitlementReader reader,
    UsageFeed usage,
    EntitlementDbContext db,
    IHostApplicationLifetime lifetime) : EntitlementService.EntitlementServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;

    [Authorize]
    public override Task<ListBenefitsResponse> ListBenefits(ListBenefitsRequest request, ServerCallContext context) =>
        catalogue.ListAsync(request, context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<UpdateBenefitResponse> UpdateBenefit(UpdateBenefitRequest request, ServerCallContext context) =>
        catalogue.UpdateAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.Service + "," + HrAuditor + "," + Roles.Talent)]
    public override Task<ListCardEntitlementsResponse> ListCardEntitlements(ListCardEntitlementsRequest request, ServerCallContext context) =>
        reader.ListCardEntitlementsAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.Service)]
    public override Task<EntitlementServiceRedeemResponse> Redeem(EntitlementServiceRedeemRequest request, ServerCallContext context) =>
        ledger.RedeemAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.Service)]
    public override Task<EntitlementServiceCancelRedemptionResponse> CancelRedemption(EntitlementServiceCancelRedemptionRequest request, ServerCallContext context) =>
        ledger.CancelAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.Service + "," + HrAuditor + "," + Roles.Talent)]
    public override Task<ListRedemptionsResponse> ListRedemptions(ListRedemptionsRequest request, ServerCallContext context) =>
        reader.ListRedemptionsAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override Task<GetUsageStatisticsResponse> GetUsageStatistics(GetUsageStatisticsRequest request, ServerCallContext context) =>
        reader.GetUsageStatisticsAsync(request, context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override async Task<EntitlementServiceVerifyAuditChainResponse> VerifyAuditChain(EntitlementServiceVerifyAuditChainRequest request, ServerCallContext context) =>
        new() { Report = await AuditChain.VerifyAsync(db, context) }; // checked against the signed checkpoints too

    [Authorize(Roles = Roles.Service)]
    public override Task WatchUsage(WatchUsageRequest request, IServerStreamWriter<WatchUsageResponse> responseStream, ServerCallContext context) =>
        lifetime.RunUntilStoppingAsync(context, ct => usage.WatchAsync(request, responseStream, ct)); // ends at once on shutdown
}
