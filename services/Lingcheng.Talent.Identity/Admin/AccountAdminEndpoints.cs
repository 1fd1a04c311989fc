using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.Identity.Extensions;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Identity.Admin;

/// <summary>
/// The account API (JSON over HTTP, bearer tokens of this provider): HR officers manage accounts,
/// auditors read them and the audit chain. Errors are RFC 9457 problems; a 400 names each bad field.
/// </summary>
public static class AccountAdminEndpoints
{
    public static IEndpointRouteBuilder MapAccountAdmin(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api").RequireAuthorization(IdentityProviderSetup.ReadAccounts);
        read.MapGet("/accounts", async (string? role, string? query, AccountAdministration admin, CancellationToken ct) =>
            Results.Ok(new { accounts = await admin.ListAsync(role, query, ct) }));
        read.MapGet("/accounts/{userName}", async (string userName, AccountAdministration admin) =>
            await admin.GetAsync(userName) is { } view ? Results.Ok(view) : Results.Problem($"没有账户 {userName} (no such account).", statusCode: 404));
        read.MapGet("/clients", async (AgencyClients clients, CancellationToken ct) => Results.Ok(new { clients = await clients.ListAsync(ct) }));
        read.MapGet("/audit/verify", async (IdentityDb db, CancellationToken ct) =>
        {
            var report = await AuditChain.VerifyAsync(db, ct);
            return Results.Ok(new { report.Intact, report.RecordsChecked, report.Detail });
        });
        read.MapGet("/audit", async (IdentityDb db, long? after, int? limit, CancellationToken ct) =>
            Results.Ok(new
            {
                records = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence > (after ?? 0)).OrderBy(r => r.Sequence)
                    .Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct),
            }));

        var manage = app.MapGroup("/api/accounts").RequireAuthorization(IdentityProviderSetup.ManageAccounts);
        manage.MapPost("", async (NewAccount request, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.CreateAsync(request, By(http), ct)).ToHttp());
        manage.MapPost("/talents", async (TalentCodeRequest request, HttpContext http, AccountAdministration admin, RegistryLookup registry, CancellationToken ct) =>
        {
            var card = request.CardNumber?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(card))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["cardNumber"] = ["请填写卡号 (the card number is required)."] });
            }

            RegistryLookup.Holder holder;
            try
            {
                holder = await registry.HolderOfCardAsync(card, BearerOf(http), ct);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["cardNumber"] = [$"登记系统中没有卡号 {card} (the registry has no such card)."] });
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return Results.Problem("登记服务暂时不可用，请稍后再试 (the registry is not answering; try again shortly).", statusCode: 503);
            }

            return (await admin.IssueTalentCodeAsync(holder, By(http), ct)).ToHttp();
        });
        manage.MapPost("/{userName}/disable", async (string userName, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.DisableAsync(userName, By(http), ct)).ToHttp());
        manage.MapPost("/{userName}/enable", async (string userName, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.EnableAsync(userName, By(http), ct)).ToHttp());
        manage.MapPost("/{userName}/unlock", async (string userName, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.UnlockAsync(userName, By(http), ct)).ToHttp());
        manage.MapPost("/{userName}/reset-password", async (string userName, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.ResetPasswordAsync(userName, By(http), ct)).ToHttp());
        manage.MapPost("/{userName}/reset-second-factor", async (string userName, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.ResetSecondFactorAsync(userName, By(http), ct)).ToHttp());
        manage.MapPost("/{userName}/link", async (string userName, LinkRequest request, HttpContext http, AccountAdministration admin, CancellationToken ct) =>
            (await admin.LinkAsync(userName, request.Subject, By(http), ct)).ToHttp());

        var clients = app.MapGroup("/api/clients").RequireAuthorization(IdentityProviderSetup.ManageAccounts);
        clients.MapPost("", async (AgencyClients.NewAgencyClient request, HttpContext http, AgencyClients admin, CancellationToken ct) =>
            (await admin.CreateAsync(request, By(http), ct)).ToHttp());
        clients.MapDelete("/{clientId}", async (string clientId, HttpContext http, AgencyClients admin, CancellationToken ct) =>
            (await admin.DeleteAsync(clientId, By(http), ct)).ToHttp());
        return app;
    }

    /// <summary>The officer making a change, as the audit chain names principals elsewhere.</summary>
    private static string By(HttpContext http) =>
        $"{http.User.FindFirst(ClaimNames.Role)?.Value}:{http.User.FindFirst(ClaimNames.Subject)?.Value}";

    private static string BearerOf(HttpContext http) =>
        http.Request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";

    public sealed record TalentCodeRequest(string? CardNumber);

    /// <summary>The outside platform's subject (its <c>sub</c>) to link to an account.</summary>
    public sealed record LinkRequest(string? Subject);
}
