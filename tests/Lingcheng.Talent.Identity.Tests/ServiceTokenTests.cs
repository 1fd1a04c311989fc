using System.Security.Claims;
using System.Security.Cryptography;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>
/// Each service accepts the built-in provider's access tokens, and refuses tokens of any other issuer,
/// expired ones, ones for another audience and development tokens (this system trusts the provider only).
/// The refused tokens are signed with the provider's own key where that matters, so only the named
/// field is wrong — a control token made the same way with every field right is accepted.
/// </summary>
public sealed class ServiceTokenTests(IdentitySystem idp)
{
    public static TheoryData<string> Services => new() { "registry", "entitlements", "verification" };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_signed_in_auditor_is_served(string service)
    {
        var token = await idp.AuditorTokenAsync();
        var report = await CallAsync(service, token);
        Assert.True(report.Intact, report.Detail);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_token_the_provider_would_sign_is_accepted(string service)
    {
        var report = await CallAsync(service, Mint(issuer: idp.Authority + "/"));
        Assert.True(report.Intact);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Tokens_of_another_issuer_expired_another_audience_or_development_are_refused(string service)
    {
        var otherKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "other" };
        var refused = new Dictionary<string, string>
        {
            ["another issuer and key"] = Mint(issuer: "http://127.0.0.1:1/", key: otherKey),
            ["another issuer, provider's key"] = Mint(issuer: "https://idp.example.org/"),
            ["expired"] = Mint(issuer: idp.Authority + "/", expires: DateTime.UtcNow.AddMinutes(-5)),
            ["another audience"] = Mint(issuer: idp.Authority + "/", audience: "some-other-api"),
            ["development token"] = DevelopmentTokens.FromFile(Path.Combine(idp.System.DataDirectory, "keys", "dev-jwt.key"), createIfMissing: true)
                .Mint(Roles.Auditor, "auditor-1"),
        };
        foreach (var (what, token) in refused)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(service, token));
            Assert.True(ex.StatusCode == StatusCode.Unauthenticated, $"{what}: {ex.Status}");
        }
    }

    /// <summary>VerifyAuditChain (auditors and HR officers) on the named service.</summary>
    private async Task<AuditChainReport> CallAsync(string service, string token)
    {
        var options = TalentSystem.Bearer(token);
        return service switch
        {
            "registry" => (await new TalentRegistryService.TalentRegistryServiceClient(idp.System.Registry!.Channel)
                .VerifyAuditChainAsync(new VerifyAuditChainRequest(), options)).Report,
            "entitlements" => (await new EntitlementService.EntitlementServiceClient(idp.System.Entitlements!.Channel)
                .VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), options)).Report,
            _ => (await new VerificationService.VerificationServiceClient(idp.System.Verification!.Channel)
                .VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), options)).Report,
        };
    }

    /// <summary>An auditor's access token as the provider makes them, with one field changed at will.</summary>
    private string Mint(string issuer, SecurityKey? key = null, DateTime? expires = null, string audience = "lingcheng-talent")
    {
        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new Claim("sub", "auditor-minted"), new Claim("role", Roles.Auditor)]),
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            SigningCredentials = new SigningCredentials(key ?? idp.ProviderSigningKey(), SecurityAlgorithms.EcdsaSha256),
        });
    }
}
