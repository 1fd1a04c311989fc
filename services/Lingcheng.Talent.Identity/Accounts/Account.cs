using Lingcheng.Talent.Auth;
using Microsoft.AspNetCore.Identity;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// A person's or a desk's account. The user name is the sign-in name: chosen by HR for officers,
/// auditors and desks, the card number for a talent. It is also the token's <c>sub</c>, so it never
/// changes and an account is disabled rather than deleted (its name is never given to someone else).
/// </summary>
public sealed class Account : IdentityUser
{
    /// <summary>The role of the access tokens (<see cref="Roles"/>); services are clients, not accounts.</summary>
    public string Role { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>A desk's agency code.</summary>
    public string? Agency { get; set; }

    /// <summary>A desk's terminal id within its agency.</summary>
    public string? Terminal { get; set; }

    /// <summary>A talent's card number.</summary>
    public string? Card { get; set; }

    /// <summary>Disabled accounts cannot sign in and get no new tokens.</summary>
    public bool Disabled { get; set; }

    /// <summary>Set by a reset or a new account's temporary password: the next sign-in must choose a new one.</summary>
    public bool MustChangePassword { get; set; }

    public DateTimeOffset? PasswordChangedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>A talent's one-time activation code, hashed like a password; null once used.</summary>
    public string? ActivationCodeHash { get; set; }

    public DateTimeOffset? ActivationExpiresAt { get; set; }

    /// <summary>The last six characters of the talent's identity document, hashed like a password.</summary>
    public string? DocumentTailHash { get; set; }

    /// <summary>Officers and auditors sign in with a second factor (等保 2.0 level 3, docs/security.md).</summary>
    public bool NeedsSecondFactor => Role is Roles.HrOfficer or Roles.Auditor;
}
