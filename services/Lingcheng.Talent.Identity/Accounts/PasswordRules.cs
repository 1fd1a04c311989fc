using Microsoft.AspNetCore.Identity;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// Password complexity of 等保 2.0 level 3 (GB/T 22239-2019 8.1.4.1 a, docs/security.md): at least ten
/// characters (set in the Identity options) of at least three of the four kinds — upper case, lower case,
/// digits, symbols — and not containing the user name.
/// </summary>
public sealed class PasswordRules : IPasswordValidator<Account>
{
    public Task<IdentityResult> ValidateAsync(UserManager<Account> manager, Account user, string? password)
    {
        password ??= "";
        var kinds = new[] { password.Any(char.IsUpper), password.Any(char.IsLower), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }
            .Count(k => k);
        var errors = new List<IdentityError>();
        if (kinds < 3)
        {
            errors.Add(new IdentityError
            {
                Code = "PasswordKinds",
                Description = "密码须包含大写字母、小写字母、数字、符号中的至少三类 (use at least three of: upper case, lower case, digits, symbols).",
            });
        }

        if (!string.IsNullOrEmpty(user.UserName) && password.Contains(user.UserName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsUserName", Description = "密码不能包含用户名 (the password must not contain the user name)." });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }
}

/// <summary>The messages of ASP.NET Core Identity's own password and user-name rules, in both languages.</summary>
public sealed class BilingualIdentityErrors : IdentityErrorDescriber
{
    public override IdentityError PasswordTooShort(int length) =>
        new() { Code = nameof(PasswordTooShort), Description = $"密码至少 {length} 个字符 (at least {length} characters)." };

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        new() { Code = nameof(PasswordRequiresUniqueChars), Description = $"密码至少包含 {uniqueChars} 个不同字符 (at least {uniqueChars} different characters)." };

    public override IdentityError PasswordMismatch() =>
        new() { Code = nameof(PasswordMismatch), Description = "当前密码不正确 (the current password is wrong)." };

    public override IdentityError DuplicateUserName(string userName) =>
        new() { Code = nameof(DuplicateUserName), Description = $"用户名 {userName} 已被使用 (the user name is taken)." };

    public override IdentityError InvalidUserName(string? userName) =>
        new() { Code = nameof(InvalidUserName), Description = "用户名只能包含字母、数字和 . _ - (letters, digits and . _ - only)." };
}
