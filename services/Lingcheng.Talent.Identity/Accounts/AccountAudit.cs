using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// Every sign-in, failure, lockout and account change goes into the provider's audit chain, the same
/// hash chain as the other services' (never a password, code or token; the target is the account name).
/// </summary>
public sealed class AccountAudit(IdentityDb db, TimeProvider time)
{
    /// <summary>Records a sign-in event on its own.</summary>
    public Task RecordAsync(string principal, string action, string? target, string outcome, string? detail = null) =>
        WriteTransactions.RunAsync(db, async ct =>
        {
            await AppendAsync(principal, action, target, outcome, detail, ct);
            return true;
        }, CancellationToken.None);

    /// <summary>Adds a record to the caller's transaction (an account change and its record commit together).</summary>
    public Task AppendAsync(string principal, string action, string? target, string outcome, string? detail, CancellationToken ct) =>
        AuditChain.AppendAsync(db, new AuditEntry(principal, null, action, target, outcome, detail), time.GetUtcNow(), ct);

    /// <summary>The principal of a sign-in event: the account as it named itself.</summary>
    public static string Self(string? userName) => "account:" + (userName is { Length: > 0 } ? userName[..Math.Min(userName.Length, 64)] : "?");
}
