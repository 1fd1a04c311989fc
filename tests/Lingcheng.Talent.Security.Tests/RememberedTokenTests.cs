using System.Security.Claims;
using System.Security.Cryptography;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// The services remember the bearer tokens they found valid (<see cref="RememberingTokenHandler"/>):
/// what a token sent again may and may not get from that.
/// </summary>
public sealed class RememberedTokenTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    // The handler's memory follows this clock; the full check (JsonWebTokenHandler's) follows the real one.
    private readonly Clock _clock = new(Start);
    private readonly DevelopmentTokens _issuer = new(RandomNumberGenerator.GetBytes(32));
    private readonly RememberingTokenHandler _handler;

    public RememberedTokenTests() => _handler = new RememberingTokenHandler(_clock);

    [Fact]
    public async Task A_token_sent_again_is_taken_from_memory_while_a_new_token_meets_every_check()
    {
        var parameters = Parameters(_issuer);
        var token = Mint(TimeSpan.FromHours(1));
        Assert.True((await _handler.ValidateTokenAsync(token, parameters)).IsValid);

        // The key changes: a token checked in full would now be refused.
        var changed = Parameters(new DevelopmentTokens(RandomNumberGenerator.GetBytes(32)));
        _clock.Now = Start.AddMinutes(4);
        Assert.True((await _handler.ValidateTokenAsync(token, changed)).IsValid); // remembered: no second signature check
        Assert.False((await _handler.ValidateTokenAsync(Mint(TimeSpan.FromHours(1)), changed)).IsValid);

        // After RememberFor it is checked again, and refused under the new key.
        _clock.Now = Start + RememberingTokenHandler.RememberFor + TimeSpan.FromSeconds(1);
        var again = await _handler.ValidateTokenAsync(token, changed);
        Assert.False(again.IsValid);
        Assert.IsType<SecurityTokenInvalidSignatureException>(again.Exception); // the same kid, another key
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var parameters = Parameters(_issuer);
        var token = Mint(TimeSpan.FromSeconds(2));
        Assert.True((await _handler.ValidateTokenAsync(token, parameters)).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        _clock.Now = DateTimeOffset.UtcNow;
        var late = await _handler.ValidateTokenAsync(token, parameters);
        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(late.Exception);
    }

    [Fact]
    public async Task Each_call_gets_its_own_claims()
    {
        var parameters = Parameters(_issuer);
        var token = Mint(TimeSpan.FromHours(1));
        var first = await _handler.ValidateTokenAsync(token, parameters);
        first.ClaimsIdentity.AddClaim(new Claim(ClaimNames.Role, Roles.HrOfficer));

        var second = await _handler.ValidateTokenAsync(token, parameters);
        Assert.True(second.IsValid);
        Assert.Equal([Roles.AgencyTerminal], second.ClaimsIdentity.FindAll(ClaimNames.Role).Select(c => c.Value));
        Assert.Equal("HOSP_PEOPLE", second.ClaimsIdentity.FindFirst(ClaimNames.Agency)?.Value);
    }

    [Fact]
    public async Task A_refused_token_is_not_remembered()
    {
        var token = Mint(TimeSpan.FromHours(1));
        var wrongKey = Parameters(new DevelopmentTokens(RandomNumberGenerator.GetBytes(32)));
        Assert.False((await _handler.ValidateTokenAsync(token, wrongKey)).IsValid);
        Assert.False((await _handler.ValidateTokenAsync(token, wrongKey)).IsValid);
        Assert.False((await _handler.ValidateTokenAsync(token[..^2] + "AA", Parameters(_issuer))).IsValid); // altered signature
    }

    private string Mint(TimeSpan lifetime) =>
        _issuer.Mint(Roles.AgencyTerminal, "desk-1", agency: "HOSP_PEOPLE", terminal: "W01", lifetime: lifetime, now: _clock.Now);

    private TokenValidationParameters Parameters(DevelopmentTokens keys) => new()
    {
        ValidIssuer = DevelopmentTokens.Issuer,
        ValidAudience = DevelopmentTokens.Audience,
        IssuerSigningKey = keys.SecurityKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RoleClaimType = ClaimNames.Role,
        ClockSkew = TimeSpan.Zero,
    };

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
