using Grpc.Core;
using Lingcheng.Talent.Client.Auth;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Verification.Services;

/// <summary>gRPC front of the verification service (SPEC §5.3). Each RPC states the roles that may call it.</summary>
public sealed class VerificationGrpcService : VerificationService.VerificationServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override Task<RedeemResponse> Redeem(RedeemRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override Task<CancelRedemptionResponse> CancelRedemption(CancelRedemptionRequest request, ServerCallContext context) => throw NotYet();

    [Authorize]
    public override Task<ListAgenciesResponse> ListAgencies(ListAgenciesRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Talent + "," + HrAuditor)]
    public override Task<ListCardVerificationsResponse> ListCardVerifications(ListCardVerificationsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize]
    public override Task<GetServerTimeResponse> GetServerTime(GetServerTimeRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<VerificationServiceVerifyAuditChainResponse> VerifyAuditChain(VerificationServiceVerifyAuditChainRequest request, ServerCallContext context) => throw NotYet();

    private static RpcException NotYet() => new(new Status(StatusCode.Unimplemented, "Not implemented yet."));
}
