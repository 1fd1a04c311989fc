using System.Security.Claims;
using Grpc.Core;
using Lingcheng.Talent.Client.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.ServiceDefaults.Auth;

/// <summary>
/// JWT bearer authentication (docs/security.md). With <c>Auth:Authority</c> — the built-in identity provider
/// or a district's own — the services accept only that authority's access tokens: its issuer and published
/// keys, the audience <c>Auth:Audience</c>, an asymmetric algorithm and the access-token type. Development
/// tokens (HS256 from the key file in the data folder) are accepted when no authority is configured, or
/// beside it when <c>Auth:DevelopmentTokens</c> is true (the local quickstart, so <c>lct --as</c> keeps working).
/// Every endpoint requires an authenticated caller unless it opts out (health, reflection).
/// </summary>
public static class AuthExtensions
{
    private const string AuthorityScheme = "authority", DevelopmentScheme = "development", SelectScheme = "bearer";

    public static IHostApplicationBuilder AddTalentAuthentication(this IHostApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var audience = auth["Audience"] ?? DevelopmentTokens.Audience;
        var acceptDevelopment = string.IsNullOrEmpty(authority) || auth.GetValue("DevelopmentTokens", false);

        DevelopmentTokens? development = null;
        if (acceptDevelopment)
        {
            development = DevelopmentTokens.FromFile(DevelopmentKeyFile(builder.Configuration), createIfMissing: true);
            builder.Services.AddSingleton(development);
        }

        var authentication = builder.Services.AddAuthentication(SelectScheme)
            .AddPolicyScheme(SelectScheme, "Bearer token", o => o.ForwardDefaultSelector = context =>
                development is null ? AuthorityScheme
                : string.IsNullOrEmpty(authority) || IssuerOf(context.Request.Headers.Authorization.ToString()) == DevelopmentTokens.Issuer ? DevelopmentScheme
                : AuthorityScheme);

        if (!string.IsNullOrEmpty(authority))
        {
            authentication.AddJwtBearer(AuthorityScheme, options =>
            {
                options.Authority = authority;
                options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                options.MapInboundClaims = false;
                options.TokenValidationParameters = Common(audience);
                options.TokenValidationParameters.ValidTypes = ["at+jwt"];
                options.TokenValidationParameters.ValidAlgorithms = (auth["Algorithms"] ?? "ES256 RS256 PS256").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            });
        }

        if (development is not null)
        {
            authentication.AddJwtBearer(DevelopmentScheme, options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = Common(audience);
                options.TokenValidationParameters.ValidIssuer = DevelopmentTokens.Issuer;
                options.TokenValidationParameters.IssuerSigningKey = development.SecurityKey;
                options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
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
}
