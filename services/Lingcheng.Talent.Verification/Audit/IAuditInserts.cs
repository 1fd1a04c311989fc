using Lingcheng.Talent.ServiceDefaults.Audit;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>The audit writer's two INSERTs (AuditRecords, CardVerifications).</summary>
internal interface IAuditInserts : IDisposable
{
    /// <summary>Writes the records and the notes (either list may be empty) in one transaction.</summary>
    void Write(IReadOnlyList<AuditRecord> records, IReadOnlyList<CardVerificationNote> notes);
}
