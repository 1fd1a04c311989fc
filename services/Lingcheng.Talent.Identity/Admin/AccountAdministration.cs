using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.Rules.Benefits;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Identity.Admin;

/// <summary>
/// Account management (HR console /hr/accounts, <c>lct admin accounts</c>): create, disable, enable,
/// reset a password, unlock, reset a second factor, give a talent a one-time code. Each change and
/// its audit record commit together; bad input changes nothing and names the field.
/// </summary>
public sealed partial class AccountAdministration(
    IdentityDb db, UserManager<Account> users, IPasswordHasher<Account> hasher, AccountAudit audit,
    IOptions<IdentityProviderOptions> options, TimeProvider time)
{
    /// <summary>The roles an account can have; services are clients (client credentials), not accounts.</summary>
    public static readonly string[] AccountRoles = [Roles.HrOfficer, Roles.Auditor, Roles.AgencyTerminal, Roles.Talent];

    public async Task<IReadOnlyList<AccountView>> ListAsync(string? role, string? query, CancellationToken ct)
    {
        var accounts = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(role))
        {
            accounts = accounts.Where(a => a.Role == role);
        }

        if (!string.IsNullOrWhiteSpace(query))
        {
            var q = query.Trim().ToUpperInvariant();
            accounts = accounts.Where(a => a.NormalizedUserName!.StartsWith(q) || (a.Agency != null && a.Agency.StartsWith(q)));
        }

        var now = time.GetUtcNow();
        return (await accounts.OrderBy(a => a.UserName).Take(500).ToListAsync(ct)).Select(a => AccountView.Of(a, now)).ToList();
    }

    public async Task<AccountView?> GetAsync(string userName) =>
        await users.FindByNameAsync(userName) is { } a ? AccountView.Of(a, time.GetUtcNow()) : null;

    /// <summary>An officer, auditor or desk account with a temporary password (changed at its first sign-in).</summary>
    public async Task<AdminResult<CreatedAccount>> CreateAsync(NewAccount request, string by, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return AdminResult<CreatedAccount>.Invalid(errors);
        }

        var userName = request.UserName!.Trim();
        if (await users.FindByNameAsync(userName) is not null)
        {
            return AdminResult<CreatedAccount>.Conflict($"用户名 {userName} 已被使用 (the user name is taken).");
        }

        if (request.Role == Roles.AgencyTerminal
            && await db.Users.AnyAsync(a => a.Agency == request.Agency && a.Terminal == request.Terminal!.Trim(), ct))
        {
            return AdminResult<CreatedAccount>.Conflict($"{request.Agency} 的终端 {request.Terminal} 已有账户 (that desk already has an account).");
        }

        var password = TemporaryPassword();
        var account = new Account
        {
            UserName = userName,
            Role = request.Role!,
            DisplayName = request.DisplayName?.Trim() is { Length: > 0 } d ? d : null,
            Agency = request.Role == Roles.AgencyTerminal ? request.Agency : null,
            Terminal = request.Role == Roles.AgencyTerminal ? request.Terminal!.Trim() : null,
            MustChangePassword = true,
            CreatedAt = time.GetUtcNow(),
        };
        var created = await WriteAsync(async c =>
        {
            var result = await users.CreateAsync(account, password);
            if (!result.Succeeded)
            {
                return result;
            }

            await audit.AppendAsync(by, "CreateAccount", userName, "OK", $"role {account.Role}" + (account.Agency is null ? "" : $", desk {account.Agency}/{account.Terminal}"), c);
            return result;
        }, ct);
        return created.Succeeded
            ? AdminResult<CreatedAccount>.Ok(new CreatedAccount(AccountView.Of(account, time.GetUtcNow()), password))
            : AdminResult<CreatedAccount>.Invalid(new() { ["userName"] = created.Errors.Select(e => e.Description).ToArray() });
    }

    /// <summary>
    /// A talent's account for <paramref name="holder"/>'s card, or a new code for an existing one: a
    /// one-time code valid for the configured days, to be given with the card. A code already given stops working.
    /// </summary>
    public async Task<AdminResult<TalentCode>> IssueTalentCodeAsync(RegistryLookup.Holder holder, string by, CancellationToken ct)
    {
        var code = ActivationCode();
        var expires = time.GetUtcNow() + options.Value.ActivationCodeLifetime;
        var account = await users.FindByNameAsync(holder.CardNumber);
        if (account is not null && account.Role != Roles.Talent)
        {
            return AdminResult<TalentCode>.Conflict($"用户名 {holder.CardNumber} 已被非人才账户使用 (the name belongs to another kind of account).");
        }

        var result = await WriteAsync(async c =>
        {
            var isNew = account is null;
            account ??= new Account { UserName = holder.CardNumber, Role = Roles.Talent, Card = holder.CardNumber, CreatedAt = time.GetUtcNow() };
            account.DisplayName = holder.FullName;
            account.ActivationCodeHash = hasher.HashPassword(account, code);
            account.ActivationExpiresAt = expires;
            account.DocumentTailHash = hasher.HashPassword(account, holder.DocumentTail);
            var saved = isNew ? await users.CreateAsync(account) : await users.UpdateAsync(account);
            if (saved.Succeeded)
            {
                await audit.AppendAsync(by, "IssueTalentCode", holder.CardNumber, "OK", isNew ? "new account" : "new code, the previous one no longer works", c);
            }

            return saved;
        }, ct);
        return result.Succeeded
            ? AdminResult<TalentCode>.Ok(new TalentCode(AccountView.Of(account!, time.GetUtcNow()), FormatCode(code), expires))
            : AdminResult<TalentCode>.Invalid(new() { ["cardNumber"] = result.Errors.Select(e => e.Description).ToArray() });
    }

    public Task<AdminResult<AccountView>> DisableAsync(string userName, string by, CancellationToken ct) =>
        ChangeAsync(userName, by, "DisableAccount", ct, async a =>
        {
            a.Disabled = true;
            await users.UpdateSecurityStampAsync(a); // ends its sign-in sessions within a minute
            return null;
        });

    public Task<AdminResult<AccountView>> EnableAsync(string userName, string by, CancellationToken ct) =>
        ChangeAsync(userName, by, "EnableAccount", ct, a =>
        {
            a.Disabled = false;
            return Task.FromResult<string?>(null);
        });

    public Task<AdminResult<AccountView>> UnlockAsync(string userName, string by, CancellationToken ct) =>
        ChangeAsync(userName, by, "UnlockAccount", ct, async a =>
        {
            await users.SetLockoutEndDateAsync(a, null);
            await users.ResetAccessFailedCountAsync(a);
            return null;
        });

    public Task<AdminResult<AccountView>> ResetSecondFactorAsync(string userName, string by, CancellationToken ct) =>
        ChangeAsync(userName, by, "ResetSecondFactor", ct, async a =>
        {
            await users.SetTwoFactorEnabledAsync(a, false);
            await users.ResetAuthenticatorKeyAsync(a); // the old phone's codes stop working; set up again at next sign-in
            await users.UpdateSecurityStampAsync(a);
            return null;
        });

    /// <summary>A new temporary password (returned once), to be changed at the next sign-in.</summary>
    public async Task<AdminResult<CreatedAccount>> ResetPasswordAsync(string userName, string by, CancellationToken ct)
    {
        var password = TemporaryPassword();
        var result = await ChangeAsync(userName, by, "ResetPassword", ct, async a =>
        {
            if (a.Role == Roles.Talent)
            {
                return "人才账户请重新发放激活码 (give a talent a new one-time code instead).";
            }

            var reset = await users.ResetPasswordAsync(a, await users.GeneratePasswordResetTokenAsync(a), password);
            a.MustChangePassword = true;
            return reset.Succeeded ? null : string.Join(" ", reset.Errors.Select(e => e.Description));
        });
        return result.Value is { } view ? AdminResult<CreatedAccount>.Ok(new CreatedAccount(view, password)) : AdminResult<CreatedAccount>.From(result);
    }

    /// <summary>Links the outside platform's subject to an account: signing in there then signs in as it here.</summary>
    public async Task<AdminResult<AccountView>> LinkAsync(string userName, string? subject, string by, CancellationToken ct)
    {
        subject = subject?.Trim();
        if (string.IsNullOrEmpty(subject) || subject.Length > 200 || subject.Any(char.IsControl))
        {
            return AdminResult<AccountView>.Invalid(new() { ["subject"] = ["请填写外部平台的用户编号 (the outside platform's subject, 1 to 200 characters)."] });
        }

        if (await users.FindByLoginAsync(Pages.Account.Federation.Scheme, subject) is { } holder && holder.UserName != userName)
        {
            return AdminResult<AccountView>.Conflict($"该外部编号已关联账户 {holder.UserName} (already linked to another account).");
        }

        return await ChangeAsync(userName, by, "LinkExternalLogin", ct, async a =>
        {
            if ((await users.GetLoginsAsync(a)).Any(l => l.LoginProvider == Pages.Account.Federation.Scheme && l.ProviderKey == subject))
            {
                return null;
            }

            var added = await users.AddLoginAsync(a, new UserLoginInfo(Pages.Account.Federation.Scheme, subject, "federation"));
            return added.Succeeded ? null : string.Join(" ", added.Errors.Select(e => e.Description));
        });
    }

    private async Task<AdminResult<AccountView>> ChangeAsync(string userName, string by, string action, CancellationToken ct, Func<Account, Task<string?>> change)
    {
        Account? account = null;
        string? refused = null;
        await WriteAsync(async c =>
        {
            account = await users.FindByNameAsync(userName);
            if (account is null || (refused = await change(account)) is not null)
            {
                return false;
            }

            await users.UpdateAsync(account);
            await audit.AppendAsync(by, action, account.UserName, "OK", null, c);
            return true;
        }, ct);
        return account is null ? AdminResult<AccountView>.NotFound($"没有账户 {userName} (no such account).")
            : refused is not null ? AdminResult<AccountView>.Invalid(new() { ["userName"] = [refused] })
            : AdminResult<AccountView>.Ok(AccountView.Of(account, time.GetUtcNow()));
    }

    private Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct) => WriteTransactions.RunAsync(db, work, ct);

    private static Dictionary<string, string[]> Validate(NewAccount r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.UserName) || !UserNamePattern().IsMatch(r.UserName.Trim()))
        {
            errors["userName"] = ["用户名须为 3–64 个字母、数字或 . _ - (3 to 64 letters, digits, '.', '_' or '-')."];
        }

        if (r.Role is not (Roles.HrOfficer or Roles.Auditor or Roles.AgencyTerminal))
        {
            errors["role"] = [$"角色须为 hr_officer、auditor 或 agency_terminal；人才账户用激活码创建 (role must be hr_officer, auditor or agency_terminal; talents get a one-time code)."];
        }

        if (r.Role == Roles.AgencyTerminal)
        {
            if (string.IsNullOrWhiteSpace(r.Agency) || !Agencies.IsKnown(r.Agency))
            {
                errors["agency"] = ["未知的部门代码 (unknown agency code)."];
            }

            if (string.IsNullOrWhiteSpace(r.Terminal) || !TerminalPattern().IsMatch(r.Terminal.Trim()))
            {
                errors["terminal"] = ["终端编号须为 1–64 个字母、数字或 . _ - (1 to 64 letters, digits, '.', '_' or '-')."];
            }
        }
        else if (!string.IsNullOrEmpty(r.Agency) || !string.IsNullOrEmpty(r.Terminal))
        {
            errors["agency"] = ["只有窗口终端账户有部门和终端 (only desk accounts have an agency and a terminal)."];
        }

        if (r.DisplayName is { } name && (name.Length > 100 || name.Any(char.IsControl)))
        {
            errors["displayName"] = ["显示名称最多 100 个字符，不含控制字符 (at most 100 characters, no control characters)."];
        }

        return errors;
    }

    /// <summary>A code as typed: no spaces or dashes, upper case.</summary>
    public static string NormalizeCode(string? code) =>
        new string((code ?? "").Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();

    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud at a counter

    private static string ActivationCode() => RandomNumberGenerator.GetString(CodeAlphabet, 10);

    private static string FormatCode(string code) => code[..5] + "-" + code[5..];

    /// <summary>14 characters of all four kinds, so it meets the password rules.</summary>
    public static string TemporaryPassword()
    {
        var chars = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ", 3) + RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz", 6)
            + RandomNumberGenerator.GetString("23456789", 3) + RandomNumberGenerator.GetString("!#%+=?@", 2);
        return new string(chars.OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).ToArray());
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{3,64}$")]
    private static partial Regex UserNamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TerminalPattern();
}

public sealed record NewAccount(string? UserName, string? Role, string? DisplayName, string? Agency, string? Terminal);

public sealed record CreatedAccount(AccountView Account, string TemporaryPassword);

public sealed record TalentCode(AccountView Account, string ActivationCode, DateTimeOffset ExpiresAt);

/// <summary>An account as the console shows it: never a password hash, code or key.</summary>
public sealed record AccountView(
    string UserName, string Role, string? DisplayName, string? Agency, string? Terminal, string? Card, bool Disabled,
    DateTimeOffset? LockedOutUntil, bool SecondFactor, bool MustChangePassword, bool ActivationPending, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt)
{
    public static AccountView Of(Account a, DateTimeOffset now) => new(
        a.UserName!, a.Role, a.DisplayName, a.Agency, a.Terminal, a.Card, a.Disabled,
        a.LockoutEnd > now ? a.LockoutEnd : null, a.TwoFactorEnabled, a.MustChangePassword, a.ActivationCodeHash is not null, a.CreatedAt, a.LastSignInAt);
}

/// <summary>How an administration request ended: a value, or a problem for the HTTP answer.</summary>
public sealed record AdminResult<T>(T? Value, int Status, string? Problem, Dictionary<string, string[]>? Errors)
{
    public static AdminResult<T> Ok(T value) => new(value, 200, null, null);

    public static AdminResult<T> Invalid(Dictionary<string, string[]> errors) => new(default, 400, null, errors);

    public static AdminResult<T> NotFound(string problem) => new(default, 404, problem, null);

    public static AdminResult<T> Conflict(string problem) => new(default, 409, problem, null);

    public static AdminResult<T> From<TOther>(AdminResult<TOther> other) => new(default, other.Status, other.Problem, other.Errors);

    public IResult ToHttp() => Status switch
    {
        200 => Results.Ok(Value),
        400 => Results.ValidationProblem(Errors!),
        _ => Results.Problem(Problem, statusCode: Status),
    };
}
