using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Identity.Connect;

/// <summary>
/// What a signed-in account must still do before it gets a token: nothing, change its password
/// (a temporary one, or one older than the maximum age), or set up its second factor (officers and
/// auditors). The authorization and device-verification endpoints ask before issuing anything.
/// </summary>
public sealed class AccountGate(UserManager<Account> users, IOptions<IdentityProviderOptions> options, TimeProvider time)
{
    /// <summary>The account behind a sign-in cookie, when it may still sign in (exists, enabled, not locked).</summary>
    public async Task<Account?> UsableAccountAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        var account = await users.GetUserAsync(principal);
        return account is null || account.Disabled || await users.IsLockedOutAsync(account) ? null : account;
    }

    /// <summary>The page the account must visit first (with <paramref name="returnUrl"/>), or null when it may have a token.</summary>
    public string? NextStep(Account account, string returnUrl)
    {
        var back = "?returnUrl=" + Uri.EscapeDataString(returnUrl);
        if (account.MustChangePassword || account.PasswordChangedAt is { } changed && time.GetUtcNow() - changed > options.Value.PasswordMaxAge)
        {
            return "/account/change-password" + back;
        }

        return account.NeedsSecondFactor && !account.TwoFactorEnabled ? "/account/second-factor-setup" + back : null;
    }
}
