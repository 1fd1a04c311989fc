using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.ServiceDefaults.Paging;
using Lingcheng.Talent.Verification.Agencies;
using Lingcheng.Talent.Verification.Audit;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Time;
using Lingcheng.Talent.Verification.Verifying;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Verification.Services;

/// <summary>gRPC front of the verification service (SPEC §5.3). Each RPC states the roles that may call it.</summary>
public sealed class VerificationGrpcService(
    VerificationDesk desk,
    AgencyDirectory agencies,
    AuditWriter audit,
    IDbContextFactory<VerificationDbContext> contexts,
    VerificationClock time) : VerificationService.VerificationServiceBase
{
    private const string HrAuditor = Roles.HrOfficer + "," + Roles.Auditor;
    private const string AgencyPages = "agencies";
    private const string CardVerificationPages = "card-verifications";

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override async Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        var agency = await agencies.RequireAgencyAsync(context.GetCaller(), context.CancellationToken);
        return await desk.VerifyAsync(request, agency, context.CancellationToken);
    }

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override async Task<RedeemResponse> Redeem(RedeemRequest request, ServerCallContext context)
    {
        var agency = await agencies.RequireAgencyAsync(context.GetCaller(), context.CancellationToken);
        return await desk.RedeemAsync(request, agency, OnBehalfOf(context), context.CancellationToken);
    }

    [Authorize(Roles = Roles.AgencyTerminal)]
    public override async Task<CancelRedemptionResponse> CancelRedemption(CancelRedemptionRequest request, ServerCallContext context)
    {
        var agency = await agencies.RequireAgencyAsync(context.GetCaller(), context.CancellationToken);
        return await desk.CancelAsync(request, agency, OnBehalfOf(context), context.CancellationToken);
    }

    [Authorize]
    public override async Task<ListAgenciesResponse> ListAgencies(ListAgenciesRequest request, ServerCallContext context)
    {
        var v = new FieldViolations();
        var size = PageTokens.Size(request.PageSize, v);
        var offset = (int)Math.Min(PageTokens.ParseNumber(request.PageToken, AgencyPages, "", v), int.MaxValue);
        v.ThrowIfAny();
        var all = await agencies.ListAsync(context.CancellationToken);
        var response = new ListAgenciesResponse();
        response.Agencies.AddRange(all.Skip(offset).Take(size).Select(a => new Agency { Code = a.Code, Name = a.Name, EnglishName = a.EnglishName, Active = a.Active }));
        if (offset + size < all.Count)
        {
            response.NextPageToken = PageTokens.Create(AgencyPages, "", (offset + size).ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    [Authorize(Roles = Roles.Talent + "," + HrAuditor)]
    [CallerLimited]
    public override async Task<ListCardVerificationsResponse> ListCardVerifications(ListCardVerificationsRequest request, ServerCallContext context)
    {
        var v = new FieldViolations();
        v.Check(CardNumber.IsValid(request.CardNumber), "card_number", "must be a card number such as LC260002310");
        var size = PageTokens.Size(request.PageSize, v);
        var before = PageTokens.ParseNumber(request.PageToken, CardVerificationPages, request.CardNumber, v);
        v.ThrowIfAny();
        context.GetCaller().EnsureMayReadCard(request.CardNumber);

        try
        {
            await audit.FlushCardNotesAsync();
        }
        catch (InvalidOperationException)
        {
            throw RpcErrors.Unavailable("CARD_HISTORY_UNAVAILABLE", "The latest verifications could not be added to the card's history just now; try again shortly.");
        }

        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        var query = db.CardVerifications.AsNoTracking().Where(c => c.CardNumber == request.CardNumber);
        if (before > 0)
        {
            query = query.Where(c => c.AuditSequence < before);
        }

        var rows = await query.OrderByDescending(c => c.AuditSequence).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListCardVerificationsResponse();
        foreach (var row in rows.Take(size))
        {
            response.Verifications.Add(new CardVerification
            {
                VerificationId = row.AuditSequence.ToString(CultureInfo.InvariantCulture),
                VerifyTime = Timestamp.FromDateTimeOffset(row.OccurredAt),
                AgencyCode = row.AgencyCode,
                AgencyName = await agencies.NameOfAsync(row.AgencyCode, context.CancellationToken),
                Outcome = Outcomes.Parse(row.Outcome),
                Action = row.Action,
                BenefitCode = row.BenefitCode ?? "",
            });
        }

        if (rows.Count > size)
        {
            response.NextPageToken = PageTokens.Create(CardVerificationPages, request.CardNumber, rows[size - 1].AuditSequence.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    [Authorize]
    public override Task<GetServerTimeResponse> GetServerTime(GetServerTimeRequest request, ServerCallContext context) =>
        Task.FromResult(new GetServerTimeResponse { ServerTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) });

    [Authorize(Roles = HrAuditor)]
    [CallerLimited]
    public override async Task<VerificationServiceVerifyAuditChainResponse> VerifyAuditChain(VerificationServiceVerifyAuditChainRequest request, ServerCallContext context)
    {
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        return new VerificationServiceVerifyAuditChainResponse { Report = await AuditChain.VerifyAsync(db, context) }; // and the signed checkpoints
    }

    /// <summary>
    /// The terminal's own bearer token, forwarded to the entitlement service (issue 25, item 9), which takes the
    /// agency and terminal of a use from it rather than from a field this service fills in.
    /// </summary>
    private static Metadata OnBehalfOf(ServerCallContext context) =>
        new() { { AuthExtensions.OnBehalfOfHeader, context.GetHttpContext().Request.Headers.Authorization.ToString() } };
}
