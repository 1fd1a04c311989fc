using Grpc.Core;
using Lingcheng.Talent.Client.Auth;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Registry.Services;

/// <summary>gRPC front of the talent registry (SPEC §5.1). Each RPC states the roles that may call it.</summary>
public sealed class TalentRegistryGrpcService : TalentRegistryService.TalentRegistryServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<CreateTalentResponse> CreateTalent(CreateTalentRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Auditor + "," + Roles.Service + "," + Roles.Talent)]
    public override Task<GetTalentResponse> GetTalent(GetTalentRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<ListTalentsResponse> ListTalents(ListTalentsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<UpdateTalentResponse> UpdateTalent(UpdateTalentRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<IssueCardResponse> IssueCard(IssueCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Auditor + "," + Roles.Service + "," + Roles.Talent)]
    public override Task<GetCardResponse> GetCard(GetCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<ListCardsResponse> ListCards(ListCardsRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RenewCardResponse> RenewCard(RenewCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<SuspendCardResponse> SuspendCard(SuspendCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<ReinstateCardResponse> ReinstateCard(ReinstateCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RevokeCardResponse> RevokeCard(RevokeCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<ReissueCardResponse> ReissueCard(ReissueCardRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Talent)]
    public override Task<RenderCardQrResponse> RenderCardQr(RenderCardQrRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Talent)]
    public override Task<IssueDynamicTokenResponse> IssueDynamicToken(IssueDynamicTokenRequest request, ServerCallContext context) => throw NotYet();

    [Authorize]
    public override Task<GetTrustListResponse> GetTrustList(GetTrustListRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RotateSigningKeyResponse> RotateSigningKey(RotateSigningKeyRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.Service + "," + Roles.Auditor)]
    public override Task WatchCardEvents(WatchCardEventsRequest request, IServerStreamWriter<WatchCardEventsResponse> responseStream, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = Roles.AgencyTerminal + "," + Roles.Service + "," + HrAuditor)]
    public override Task<GetRevocationSnapshotResponse> GetRevocationSnapshot(GetRevocationSnapshotRequest request, ServerCallContext context) => throw NotYet();

    [Authorize(Roles = HrAuditor)]
    public override Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context) => throw NotYet();

    private static RpcException NotYet() => new(new Status(StatusCode.Unimplemented, "Not implemented yet."));
}
