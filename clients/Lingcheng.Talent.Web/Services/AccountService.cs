using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// Accounts (<c>/hr/accounts</c>) over the identity provider's account API (JSON over HTTP at
/// <c>Services:Identity</c>, by default <c>Auth:Authority</c>), with the signed-in officer's own access
/// token: the provider decides who may read and write, and checks every field. Its answers become the
/// same <see cref="Outcome{T}"/> and <see cref="ServiceProblem"/> the other pages show; a 400's
/// <c>errors</c> become field messages by the API's field name (<c>userName</c>, <c>agency</c>, …).
/// </summary>
public sealed class AccountService(HttpClient http, IdentityProviderAddress address, IStringLocalizer<SharedResource> text)
{
    /// <summary>The account actions behind a confirmation, as the API names them.</summary>
    public static readonly string[] Actions = ["disable", "enable", "unlock", "reset-password", "reset-second-factor"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>False when the app has no identity provider (development sign-in): accounts live elsewhere.</summary>
    public bool IsConfigured => address.Uri is not null;

    public Task<Outcome<IReadOnlyList<AccountView>>> ListAsync(WebUser user, string? role, string? query, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<AccountView>>(user, HttpMethod.Get,
            $"api/accounts?role={Uri.EscapeDataString(role ?? "")}&query={Uri.EscapeDataString(query ?? "")}", null,
            async response => (await response.Content.ReadFromJsonAsync<AccountList>(Json, cancellationToken))?.Accounts ?? [], cancellationToken);

    public Task<Outcome<AccountView>> GetAsync(WebUser user, string userName, CancellationToken cancellationToken) =>
        SendAsync(user, HttpMethod.Get, "api/accounts/" + Uri.EscapeDataString(userName), null, ReadAsync<AccountView>(cancellationToken), cancellationToken);

    /// <summary>An officer, auditor or desk account; its temporary password is in the answer, once.</summary>
    public Task<Outcome<CreatedAccount>> CreateAsync(WebUser user, NewAccount account, CancellationToken cancellationToken) =>
        SendAsync(user, HttpMethod.Post, "api/accounts", account, ReadAsync<CreatedAccount>(cancellationToken), cancellationToken);

    /// <summary>One of <see cref="Actions"/>; a password reset's answer carries the new temporary password, once.</summary>
    public Task<Outcome<CreatedAccount>> ActAsync(WebUser user, string userName, string action, CancellationToken cancellationToken)
    {
        if (!Actions.Contains(action))
        {
            return Task.FromResult(new Outcome<CreatedAccount>(null, new ServiceProblem(StatusCode.InvalidArgument, text["Hr.UnknownAction"], new Dictionary<string, string>())));
        }

        return SendAsync(user, HttpMethod.Post, $"api/accounts/{Uri.EscapeDataString(userName)}/{action}", new { }, async response =>
            action == "reset-password"
                ? (await response.Content.ReadFromJsonAsync<CreatedAccount>(Json, cancellationToken))!
                : new CreatedAccount((await response.Content.ReadFromJsonAsync<AccountView>(Json, cancellationToken))!, null), cancellationToken);
    }

    /// <summary>A one-time sign-in code for the holder of <paramref name="cardNumber"/> (the provider reads the holder from the registry).</summary>
    public Task<Outcome<TalentCode>> IssueTalentCodeAsync(WebUser user, string cardNumber, CancellationToken cancellationToken) =>
        SendAsync(user, HttpMethod.Post, "api/accounts/talents", new { cardNumber }, ReadAsync<TalentCode>(cancellationToken), cancellationToken);

    /// <summary>The provider's audit chain, checked as the services check theirs.</summary>
    public Task<Outcome<Lingcheng.Talent.V1.AuditChainReport>> VerifyAuditChainAsync(WebUser user, CancellationToken cancellationToken) =>
        SendAsync(user, HttpMethod.Get, "api/audit/verify", null, async response =>
        {
            var report = (await response.Content.ReadFromJsonAsync<ChainReport>(Json, cancellationToken))!;
            return new Lingcheng.Talent.V1.AuditChainReport { Intact = report.Intact, RecordsChecked = report.RecordsChecked, Detail = report.Detail ?? "" };
        }, cancellationToken);

    private sealed record ChainReport(bool Intact, long RecordsChecked, string? Detail);

    private static Func<HttpResponseMessage, Task<T>> ReadAsync<T>(CancellationToken cancellationToken) =>
        async response => (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;

    private async Task<Outcome<T>> SendAsync<T>(
        WebUser user, HttpMethod method, string path, object? body, Func<HttpResponseMessage, Task<T>> read, CancellationToken cancellationToken)
    {
        if (address.Uri is not { } baseUri)
        {
            return new Outcome<T>(default, new ServiceProblem(StatusCode.FailedPrecondition, text["Accounts.NotHere"], new Dictionary<string, string>()));
        }

        using var request = new HttpRequestMessage(method, new Uri(baseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? new Outcome<T>(await read(response), null)
                : new Outcome<T>(default, await ProblemOfAsync(response, cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome<T>(default, new ServiceProblem(StatusCode.Unavailable, text["Accounts.Unavailable"], new Dictionary<string, string>()));
        }
    }

    /// <summary>An RFC 9457 problem as the pages show it; the provider's own sentences (Chinese and English) are kept.</summary>
    private async Task<ServiceProblem> ProblemOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        Problem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<Problem>(Json, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // Not a problem document (a proxy's page): the status alone says enough.
        }

        var fields = (problem?.Errors ?? []).ToDictionary(e => e.Key, e => string.Join("; ", e.Value), StringComparer.OrdinalIgnoreCase);
        var (code, message) = response.StatusCode switch
        {
            HttpStatusCode.BadRequest when fields.Count > 0 => (StatusCode.InvalidArgument, text["Problem.InvalidFields", string.Join("; ", fields.Select(f => $"{f.Key}: {f.Value}"))].Value),
            HttpStatusCode.Unauthorized => (StatusCode.Unauthenticated, text["Problem.Unauthenticated"].Value),
            HttpStatusCode.Forbidden => (StatusCode.PermissionDenied, text["Problem.PermissionDenied"].Value),
            HttpStatusCode.NotFound => (StatusCode.NotFound, problem?.Detail ?? text["Problem.NotFound"].Value),
            HttpStatusCode.Conflict => (StatusCode.AlreadyExists, problem?.Detail ?? problem?.Title ?? ""),
            HttpStatusCode.TooManyRequests => (StatusCode.ResourceExhausted, text["Problem.TooMany"].Value),
            >= HttpStatusCode.InternalServerError => (StatusCode.Unavailable, problem?.Detail ?? text["Accounts.Unavailable"].Value),
            _ => (StatusCode.Unknown, text["Problem.Other", problem?.Detail ?? problem?.Title ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)].Value),
        };
        return new ServiceProblem(code, message, fields);
    }

    private sealed record AccountList(IReadOnlyList<AccountView> Accounts);

    private sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]>? Errors);
}

/// <summary>Where the identity provider's account API is: <c>Services:Identity</c>, else <c>Auth:Authority</c>; null without either.</summary>
public sealed record IdentityProviderAddress(Uri? Uri)
{
    public static IdentityProviderAddress From(IConfiguration configuration) =>
        new((configuration["Services:Identity"] is { Length: > 0 } s ? s : configuration["Auth:Authority"]) is { Length: > 0 } address
            ? new Uri(address.TrimEnd('/') + "/")
            : null);
}

/// <summary>An account as the provider's API shows it (never a password, code or key).</summary>
public sealed record AccountView(
    string UserName, string Role, string? DisplayName, string? Agency, string? Terminal, string? Card, bool Disabled,
    DateTimeOffset? LockedOutUntil, bool SecondFactor, bool MustChangePassword, bool ActivationPending, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt);

/// <summary>A new account for the API: officer, auditor or desk (agency and terminal).</summary>
public sealed record NewAccount(string? UserName, string? Role, string? DisplayName, string? Agency, string? Terminal);

/// <summary>An account and, after a creation or a password reset, its temporary password (shown once).</summary>
public sealed record CreatedAccount(AccountView Account, string? TemporaryPassword);

/// <summary>A talent's one-time sign-in code and until when it works.</summary>
public sealed record TalentCode(AccountView Account, string ActivationCode, DateTimeOffset ExpiresAt);
