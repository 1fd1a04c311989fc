using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Entitlements.Redemptions;
using Lingcheng.Talent.Entitlements.Usage;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
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
    [ServiceCallers(ServiceNames.Verification)]
    public override Task<ListCardEntitlementsResponse> ListCardEntitlements(ListCardEntitlementsRequest request, ServerCallContext context) =>
        reader.ListCardEntitlementsAsync(request, context.GetCaller(), context.CancellationToken);

    // Only the verification service, on a terminal's behalf: the agency and terminal are the ones of the terminal's
    // own token it forwards (issue 25, item 9), not whatever the request says.
    [Authorize(Roles = Roles.Service)]
    [ServiceCallers(ServiceNames.Verification)]
    public override async Task<EntitlementServiceRedeemResponse> Redeem(EntitlementServiceRedeemRequest request, ServerCallContext context)
    {
        var terminal = await context.GetTerminalOnBehalfOfAsync();
        (request.AgencyCode, request.TerminalId) = OnBehalfOf(terminal, request.AgencyCode, request.TerminalId);
        return await ledger.RedeemAsync(request, terminal, context.CancellationToken);
    }

    [Authorize(Roles = Roles.Service)]
    [ServiceCallers(ServiceNames.Verification)]
    public override async Task<EntitlementServiceCancelRedemptionResponse> CancelRedemption(EntitlementServiceCancelRedemptionRequest request, ServerCallContext context)
    {
        var terminal = await context.GetTerminalOnBehalfOfAsync();
        (request.AgencyCode, _) = OnBehalfOf(terminal, request.AgencyCode, "");
        return await ledger.CancelAsync(request, terminal, context.CancellationToken);
    }

    [Authorize(Roles = HrAuditor + "," + Roles.Talent)]
    public override Task<ListRedemptionsResponse> ListRedemptions(ListRedemptionsRequest request, ServerCallContext context) =>
        reader.ListRedemptionsAsync(request, context.GetCaller(), context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    public override Task<GetUsageStatisticsResponse> GetUsageStatistics(GetUsageStatisticsRequest request, ServerCallContext context) =>
        reader.GetUsageStatisticsAsync(request, context.CancellationToken);

    [Authorize(Roles = HrAuditor)]
    [CallerLimited]
    public override async Task<EntitlementServiceVerifyAuditChainResponse> VerifyAuditChain(EntitlementServiceVerifyAuditChainRequest request, ServerCallContext context) =>
        new() { Report = await AuditChain.VerifyAsync(db, context) }; // checked against the signed checkpoints too

    [Authorize(Roles = Roles.Service)]
    [ServiceCallers(ServiceNames.Verification)]
    public override Task WatchUsage(WatchUsageRequest request, IServerStreamWriter<WatchUsageResponse> responseStream, ServerCallContext context) =>
        lifetime.RunUntilStoppingAsync(context, ct => usage.WatchAsync(request, responseStream, ct)); // ends at once on shutdown

    /// <summary>
    /// The agency and terminal of a use must be the forwarded terminal token's: a request that names another agency
    /// or terminal is refused with PERMISSION_DENIED (the verification service never sends one, so it is a forgery).
    /// A malformed code is left to the field validation (INVALID_ARGUMENT naming the field); an empty terminal_id
    /// becomes the token's terminal.
    /// </summary>
    private static (string Agency, string Terminal) OnBehalfOf(Caller terminal, string requestedAgency, string requestedTerminal)
    {
        var id = string.IsNullOrWhiteSpace(terminal.Terminal) ? terminal.Subject : terminal.Terminal;
        id = id.Length > 64 ? id[..64] : id;
        if (Agencies.IsKnown(requestedAgency) && !string.Equals(requestedAgency, terminal.Agency, StringComparison.Ordinal))
        {
            throw RpcErrors.PermissionDenied("AGENCY_MISMATCH",
                $"agency_code '{requestedAgency}' is not the agency of the terminal's token ({Echo.Quote(terminal.Agency)}); a use is recorded or cancelled only for the terminal's own agency.");
        }

        var wellFormed = requestedTerminal.Length is > 0 and <= 64 && requestedTerminal.All(c => c is >= ' ' and < '\x7f');
        if (wellFormed && !string.Equals(requestedTerminal, id, StringComparison.Ordinal))
        {
            throw RpcErrors.PermissionDenied("TERMINAL_MISMATCH", "terminal_id is not the terminal of the terminal's token.");
        }

        return (requestedAgency, requestedTerminal.Length == 0 ? id : requestedTerminal);
    }
}
