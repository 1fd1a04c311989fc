using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Registry.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Events;
using Lingcheng.Talent.Registry.Keys;
using Lingcheng.Talent.Registry.Talents;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Registry.Services;

/// <summary>gRPC front of the talent registry (SPEC §5.1). Each RPC states the roles that may call it; the work is in the domain classes.</summary>
public sealed class TalentRegistryGrpcService(
    TalentDirectory talents,
    CardLifecycle cards,
    KeyRing keys,
    CardEventFeed feed,
    TalentRegistryDbContext db,
    IHostApplicationLifetime lifetime) : TalentRegistryService.TalentRegistryServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<CreateTalentResponse> CreateTalent(CreateTalentRequest request, ServerCallContext context) =>
        talents.CreateAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Auditor + "," + Roles.Service + "," + Roles.Talent)]
    [ServiceCallers(ServiceNames.Verification)] // the photo for the desk; no other service reads a talent
    public override Task<GetTalentResponse> GetTalent(GetTalentRequest request, ServerCallContext context) =>
        talents.GetAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override Task<ListTalentsResponse> ListTalents(ListTalentsRequest request, ServerCallContext context) =>
        talents.ListAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<UpdateTalentResponse> UpdateTalent(UpdateTalentRequest request, ServerCallContext context) =>
        talents.UpdateAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<IssueCardResponse> IssueCard(IssueCardRequest request, ServerCallContext context) =>
        cards.IssueAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Auditor + "," + Roles.Service + "," + Roles.Talent)]
    [ServiceCallers(ServiceNames.Verification, ServiceNames.Entitlements)]
    public override Task<GetCardResponse> GetCard(GetCardRequest request, ServerCallContext context) =>
        cards.GetAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override Task<ListCardsResponse> ListCards(ListCardsRequest request, ServerCallContext context) =>
        cards.ListAsync(request, context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override Task<ListCardEventsResponse> ListCardEvents(ListCardEventsRequest request, ServerCallContext context) =>
        cards.ListEventsAsync(request, context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RenewCardResponse> RenewCard(RenewCardRequest request, ServerCallContext context) =>
        cards.RenewAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<SuspendCardResponse> SuspendCard(SuspendCardRequest request, ServerCallContext context) =>
        cards.SuspendAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<ReinstateCardResponse> ReinstateCard(ReinstateCardRequest request, ServerCallContext context) =>
        cards.ReinstateAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RevokeCardResponse> RevokeCard(RevokeCardRequest request, ServerCallContext context) =>
        cards.RevokeAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<ReissueCardResponse> ReissueCard(ReissueCardRequest request, ServerCallContext context) =>
        cards.ReissueAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer + "," + Roles.Talent)]
    public override Task<RenderCardQrResponse> RenderCardQr(RenderCardQrRequest request, ServerCallContext context) =>
        cards.RenderQrAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = Roles.Talent)]
    public override Task<IssueDynamicTokenResponse> IssueDynamicToken(IssueDynamicTokenRequest request, ServerCallContext context) =>
        cards.IssueDynamicTokenAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize]
    [ServiceCallers(ServiceNames.Verification)]
    public override Task<GetTrustListResponse> GetTrustList(GetTrustListRequest request, ServerCallContext context) =>
        keys.GetTrustListAsync(context.CancellationToken);

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RotateSigningKeyResponse> RotateSigningKey(RotateSigningKeyRequest request, ServerCallContext context)
    {
        var v = new ServiceDefaults.Errors.FieldViolations();
        v.RequestId(request.RequestId);
        v.ThrowIfAny();
        return keys.RotateAsync(db, request, context.GetCaller(), context.CancellationToken);
    }

    [Authorize(Roles = Roles.HrOfficer)]
    public override Task<RevokeSigningKeyResponse> RevokeSigningKey(RevokeSigningKeyRequest request, ServerCallContext context)
    {
        var v = new ServiceDefaults.Errors.FieldViolations();
        v.RequestId(request.RequestId);
        v.Check(KeyRing.IsKid(request.Kid), "kid", KeyRing.KidRequirement);
        v.Check(!string.IsNullOrWhiteSpace(request.Reason) && request.Reason.Length <= 500 && !ServiceDefaults.Errors.Echo.HasControlCharacters(request.Reason),
            "reason", "is required: 1–500 characters, without control characters");
        v.ThrowIfAny();
        return keys.RevokeAsync(db, request, context.GetCaller(), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Service + "," + Roles.Auditor)]
    [ServiceCallers(ServiceNames.Verification, ServiceNames.Entitlements)]
    public override Task WatchCardEvents(WatchCardEventsRequest request, IServerStreamWriter<WatchCardEventsResponse> responseStream, ServerCallContext context) =>
        lifetime.RunUntilStoppingAsync(context, ct => feed.WatchAsync(request, responseStream, ct)); // ends at once on shutdown

    [Authorize(Roles = Roles.AgencyTerminal + "," + Roles.Service + "," + HrAuditor)]
    [ServiceCallers(ServiceNames.Verification)]
    public override Task<GetRevocationSnapshotResponse> GetRevocationSnapshot(GetRevocationSnapshotRequest request, ServerCallContext context) =>
        feed.GetSnapshotAsync(request.SinceSequence, context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    [CallerLimited]
    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context) =>
        new() { Report = await AuditChain.VerifyAsync(db, context) }; // checked against the signed checkpoints too
}
