using System.Security.Claims;
using Grpc.Core;
using Lingcheng.Talent.Client.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.ServiceDefaults.Auth;

/// <summary>
/// JWT bearer authentication (SPEC §6). Production: <c>Auth:Authority</c> and <c>Auth:Audience</c>
/// point at the district's OIDC provider. Development: tokens signed with the development key file.
/// Every endpoint requires an authenticated caller unless it opts out (health, reflection).
/// </summary>
public static class AuthExtensions
{
    public static IHostApplicationBuilder AddTalentAuthentication(this IHostApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var audience = auth["Audience"] ?? DevelopmentTokens.Audience;

        // Without an OIDC authority the services accept tokens signed with the development key,
        // created on first start in the data folder (SPEC §6: local use only).
        DevelopmentTokens? development = null;
        if (string.IsNullOrEmpty(authority))
        {
            development = DevelopmentTokens.FromFile(DevelopmentKeyFile(builder.Configuration), createIfMissing: true);
            builder.Services.AddSingleton(development);
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = audience,
                RoleClaimType = ClaimNames.Role,
                NameClaimType = ClaimNames.Subject,
                ClockSkew = TimeSpan.FromSeconds(30),
            };

            if (development is null)
            {
                options.Authority = authority;
                options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
            }
            else
            {
                options.TokenValidationParameters.ValidIssuer = DevelopmentTokens.Issuer;
                options.TokenValidationParameters.IssuerSigningKey = development.SecurityKey;
            }
        });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
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
