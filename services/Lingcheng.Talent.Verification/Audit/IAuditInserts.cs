using Lingcheng.Talent.ServiceDefaults.Audit;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>The audit writer's two INSERTs (AuditRecords, CardVerifications) for one batch, in one transaction.</summary>
internal interface IAuditInserts : IDisposable
{
    /// <summary>Writes the records, and each one's card note where <paramref name="cardOf"/> gives one.</summary>
    void Write(IReadOnlyList<AuditRecord> records, Func<int, CardVerificationNote?> cardOf);
}
