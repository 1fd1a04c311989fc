using System.Security.Claims;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.ServiceDefaults.Auth;

/// <summary>
/// JWT bearer authentication (docs/security.md). With <c>Auth:Authority</c> — the built-in identity provider
/// or a district's own — the services accept only that authority's access tokens: its issuer and published
/// keys, the audience <c>Auth:Audience</c>, an asymmetric algorithm and the access-token type. Development
/// tokens (HS256 from the key file in the data folder) are accepted only when the environment is Development
/// AND <c>Auth:DevelopmentTokens</c> is true — alone, or beside the authority (the local quickstart, so
/// <c>lct --as</c> keeps working) — and a warning says so at start. Any other service without an authority
/// refuses to start. Every token must carry exactly one <c>role</c> and live no longer than
/// <c>Auth:MaxTokenLifetime</c> (exp − iat, 12 h by default). A token found valid is remembered for a few
/// minutes, so the same token sent again costs no signature check (<see cref="RememberingTokenHandler"/>).
/// Every endpoint requires an authenticated caller unless it opts out (health, reflection).
/// </summary>
public static class AuthExtensions
{
    private const string AuthorityScheme = "authority", DevelopmentScheme = "development", SelectScheme = "bearer";

    /// <summary>
    /// The scheme that reads the token a service forwards on a caller's behalf (<see cref="OnBehalfOfHeader"/>),
    /// validated exactly like the caller's own bearer token (issue 25, item 9).
    /// </summary>
    public const string OnBehalfOfScheme = "on-behalf-of";

    /// <summary>
    /// The metadata header in which the verification service forwards the agency terminal's own bearer token
    /// (<c>Bearer …</c>) to the entitlement service, which takes the agency and terminal from it.
    /// </summary>
    public const string OnBehalfOfHeader = "lingcheng-on-behalf-of";

    /// <summary>The longest a token may live (exp − iat) unless <c>Auth:MaxTokenLifetime</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultMaxTokenLifetime = TimeSpan.FromHours(12);

    public static IHostApplicationBuilder AddTalentAuthentication(this IHostApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var audience = auth["Audience"] ?? DevelopmentTokens.Audience;
        var maxLifetime = auth.GetValue("MaxTokenLifetime", DefaultMaxTokenLifetime);
        var acceptDevelopment = AcceptsDevelopmentTokens(builder.Configuration, builder.Environment);

        DevelopmentTokens? development = null;
        if (acceptDevelopment)
        {
            var keyFile = DevelopmentKeyFile(builder.Configuration);
            development = DevelopmentTokens.FromFile(keyFile, createIfMissing: true);
            builder.Services.AddSingleton(development);
            builder.Services.AddHostedService(sp => new DevelopmentTokensWarning(
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Lingcheng.Talent.Auth"), keyFile, string.IsNullOrEmpty(authority)));
        }

        var authentication = builder.Services.AddAuthentication(SelectScheme);

        // The caller's own token (Authorization) and, under the same rules, a token forwarded on a caller's behalf
        // (OnBehalfOfHeader): each with a scheme per issuer and a policy scheme that picks by the token's issuer.
        foreach (var (select, header, suffix) in new[] { (SelectScheme, "Authorization", ""), (OnBehalfOfScheme, OnBehalfOfHeader, "-" + OnBehalfOfScheme) })
        {
            var (authorityScheme, developmentScheme) = (AuthorityScheme + suffix, DevelopmentScheme + suffix);
            authentication.AddPolicyScheme(select, "Bearer token", o => o.ForwardDefaultSelector = context =>
                development is null ? authorityScheme
                : string.IsNullOrEmpty(authority) || IssuerOf(context.Request.Headers[header].ToString()) == DevelopmentTokens.Issuer ? developmentScheme
                : authorityScheme);
            Func<MessageReceivedContext, Task> read = header == "Authorization" ? _ => Task.CompletedTask : c =>
            {
                var value = c.Request.Headers[header].ToString();
                if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                {
                    c.Token = value[7..].Trim();
                }
                else
                {
                    c.NoResult();
                }

                return Task.CompletedTask;
            };

            if (!string.IsNullOrEmpty(authority))
            {
                authentication.AddJwtBearer(authorityScheme, options =>
                {
                    options.Authority = authority;
                    options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                    options.MapInboundClaims = false;
                    options.TokenHandlers.Clear();
                    options.TokenHandlers.Add(new RememberingTokenHandler()); // one per scheme: each remembers what its own rules accepted
                    options.TokenValidationParameters = Common(audience);
                    options.TokenValidationParameters.ValidTypes = ["at+jwt"];
                    options.TokenValidationParameters.ValidAlgorithms = (auth["Algorithms"] ?? "ES256 RS256 PS256").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    options.Events = new JwtBearerEvents { OnMessageReceived = read, OnTokenValidated = c => CheckClaims(c, maxLifetime) };
                });
            }

            if (development is not null)
            {
                authentication.AddJwtBearer(developmentScheme, options =>
                {
                    options.MapInboundClaims = false;
                    options.TokenHandlers.Clear();
                    options.TokenHandlers.Add(new RememberingTokenHandler()); // one per scheme: each remembers what its own rules accepted
                    options.TokenValidationParameters = Common(audience);
                    options.TokenValidationParameters.ValidIssuer = DevelopmentTokens.Issuer;
                    options.TokenValidationParameters.IssuerSigningKey = development.SecurityKey;
                    options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                    options.TokenValidationParameters.ValidTypes = [DevelopmentTokens.TokenType];
                    options.Events = new JwtBearerEvents { OnMessageReceived = read, OnTokenValidated = c => CheckClaims(c, maxLifetime) };
                });
            }
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>
    /// Whether this service accepts development tokens: only in the Development environment and only when
    /// <c>Auth:DevelopmentTokens</c> is true. Throws (the service then cannot start, ServiceMain) when the switch
    /// is on elsewhere, or when there is neither an authority nor the switch: a service that trusts nobody's
    /// tokens, or a key file on the disk, by accident is worse than one that does not start.
    /// </summary>
    public static bool AcceptsDevelopmentTokens(IConfiguration configuration, IHostEnvironment environment)
    {
        var requested = configuration.GetValue("Auth:DevelopmentTokens", false);
        if (requested && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Auth:DevelopmentTokens is true, but development tokens are accepted only in the Development environment (this is {environment.EnvironmentName}). " +
                "Remove it and set Auth:Authority to the identity provider whose tokens this service accepts.");
        }

        if (!requested && string.IsNullOrEmpty(configuration["Auth:Authority"]))
        {
            throw new InvalidOperationException(
                "Auth:Authority is not set: set it to the OpenID Connect provider whose tokens this service accepts " +
                "(docs/operations.md), or, on a developer's machine only, set ASPNETCORE_ENVIRONMENT=Development and Auth:DevelopmentTokens=true.");
        }

        return requested;
    }

    /// <summary>
    /// What the token handler does not check by itself: exactly one <c>role</c> (a token with several would be
    /// taken for whichever role a check happened to look for), and a lifetime (exp − iat, or exp − nbf without
    /// iat) no longer than <paramref name="maxLifetime"/>, so a token minted for a year cannot be used for one.
    /// Refused here the caller is unauthenticated: UNAUTHENTICATED, like any other invalid token.
    /// </summary>
    private static Task CheckClaims(TokenValidatedContext context, TimeSpan maxLifetime)
    {
        var roles = context.Principal?.FindAll(ClaimNames.Role).Count() ?? 0;
        if (roles > 1)
        {
            context.Fail("The token carries several role claims; exactly one is accepted.");
            return Task.CompletedTask;
        }

        if (context.SecurityToken is JsonWebToken jwt)
        {
            var from = jwt.IssuedAt != DateTime.MinValue ? jwt.IssuedAt : jwt.ValidFrom;
            if (from == DateTime.MinValue || jwt.ValidTo == DateTime.MinValue)
            {
                context.Fail("The token has no iat (or nbf) and exp; its lifetime cannot be checked.");
            }
            else if (jwt.ValidTo - from > maxLifetime)
            {
                context.Fail($"The token lives {jwt.ValidTo - from}, longer than Auth:MaxTokenLifetime ({maxLifetime}).");
            }
        }

        return Task.CompletedTask;
    }

    private static TokenValidationParameters Common(string audience) => new()
    {
        ValidAudience = audience,
        RoleClaimType = ClaimNames.Role,
        NameClaimType = ClaimNames.Subject,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>The <c>iss</c> of a bearer header's token, read without validating it (only to pick the scheme that will).</summary>
    private static string? IssuerOf(string header)
    {
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return new JsonWebToken(header[7..].Trim()).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Where the development token key lives: <c>Auth:DevelopmentKeyFile</c>, else <c>{DataDirectory}/keys/dev-jwt.key</c>.</summary>
    public static string DevelopmentKeyFile(IConfiguration configuration) =>
        configuration["Auth:DevelopmentKeyFile"] ?? Path.Combine(DataDirectory(configuration), "keys", "dev-jwt.key");

    /// <summary>The data folder: <c>DataDirectory</c>, else <c>./data</c>.</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["DataDirectory"] ?? "data");
}

/// <summary>
/// The loud line at start of a service that accepts development tokens: once, as a warning, so it stands out in
/// <c>docker compose logs</c> or the AppHost's console and nobody runs like this by mistake for long.
/// </summary>
internal sealed class DevelopmentTokensWarning(ILogger logger, string keyFile, bool only) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "DEVELOPMENT TOKENS ARE ACCEPTED{Only}: anyone who can read {KeyFile} can call this service as any role. " +
            "For a developer's machine only (ASPNETCORE_ENVIRONMENT=Development, Auth:DevelopmentTokens=true).",
            only ? " (and no identity provider is configured)" : " beside the identity provider's", keyFile);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Who is calling, read from the validated token.</summary>
public sealed record Caller(string Subject, string Role, string? Agency, string? Card, string? Terminal)
{
    public bool IsHrOfficer => Role == Roles.HrOfficer;

    /// <summary>The caller's principal as the audit trail records it, e.g. <c>agency_terminal:HOSP_PEOPLE/desk-1</c>.</summary>
    public string AuditPrincipal => Agency is null ? $"{Role}:{Subject}" : $"{Role}:{Agency}/{Terminal ?? Subject}";

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimNames.Subject) ?? "unknown",
        user.FindFirstValue(ClaimNames.Role) ?? "",
        user.FindFirstValue(ClaimNames.Agency),
        user.FindFirstValue(ClaimNames.Card),
        user.FindFirstValue(ClaimNames.Terminal));

    /// <summary>
    /// Throws PERMISSION_DENIED unless the caller may read this card: a talent only their own,
    /// the other permitted roles any (role checks themselves are on the RPC's [Authorize]).
    /// </summary>
    public void EnsureMayReadCard(string cardNumber)
    {
        if (Role == Roles.Talent && !string.Equals(Card, cardNumber, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "A talent may only read their own card."));
        }
    }
}

/// <summary>Reads the <see cref="Caller"/> of a gRPC call.</summary>
public static class CallerExtensions
{
    public static Caller GetCaller(this ServerCallContext context) => Caller.From(context.GetHttpContext().User);

    /// <summary>
    /// The agency terminal on whose behalf a service calls (issue 25, item 9): the terminal's own bearer token,
    /// forwarded in <see cref="AuthExtensions.OnBehalfOfHeader"/> and validated like any caller's token (issuer,
    /// keys, audience, lifetime, one role). UNAUTHENTICATED when it is missing or not valid, PERMISSION_DENIED when it
    /// is not an agency terminal's with an agency.
    /// </summary>
    public static async Task<Caller> GetTerminalOnBehalfOfAsync(this ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (string.IsNullOrEmpty(http.Request.Headers[AuthExtensions.OnBehalfOfHeader].ToString()))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"The agency terminal's token is missing: the calling service must forward it in the {AuthExtensions.OnBehalfOfHeader} header."));
        }

        var result = await http.AuthenticateAsync(AuthExtensions.OnBehalfOfScheme);
        if (!result.Succeeded || result.Principal is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"The agency terminal's token forwarded in {AuthExtensions.OnBehalfOfHeader} is not valid ({result.Failure?.Message ?? "no token"})."));
        }

        var terminal = Caller.From(result.Principal);
        if (terminal.Role != Roles.AgencyTerminal || string.IsNullOrEmpty(terminal.Agency))
        {
            throw Errors.RpcErrors.PermissionDenied("NOT_A_TERMINAL", "The token forwarded on a caller's behalf is not an agency terminal's.");
        }

        return terminal;
    }
}
