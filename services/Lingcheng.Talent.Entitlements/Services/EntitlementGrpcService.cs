using Grpc.Core;
using Lingcheng.Talent.Client.Auth;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Entitlements.Services;

/// <summary>gRPC front of the entitlement service (SPEC §5.2). Each RPC states the roles that may call it.</summary>
public sealed class EntitlementGrpcService : EntitlementService.EntitlementServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;

    [Authorize]
    public override Task<ListBenefitsResponse> ListBenefits(ListBenefitsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<UpdateBenefitResponse> UpdateBenefit(UpdateBenefitRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Service + "," + HrAuditor + "," + Roles.Talent)]
    public override Task<ListCardEntitlementsResponse> ListCardEntitlements(ListCardEntitlementsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Service)]
    public override Task<EntitlementServiceRedeemResponse> Redeem(EntitlementServiceRedeemRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Service)]
    public override Task<EntitlementServiceCancelRedemptionResponse> CancelRedemption(EntitlementServiceCancelRedemptionRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Service + "," + HrAuditor + "," + Roles.Talent)]
    public override Task<ListRedemptionsResponse> ListRedemptions(ListRedemptionsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<GetUsageStatisticsResponse> GetUsageStatistics(GetUsageStatisticsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<EntitlementServiceVerifyAuditChainResponse> VerifyAuditChain(EntitlementServiceVerifyAuditChainRequest request, ServerCallContext context) => throw NotYet();

    private static RpcException NotYet() => new(new Status(StatusCode.Unimplemented, "Not implemented yet."));
}
