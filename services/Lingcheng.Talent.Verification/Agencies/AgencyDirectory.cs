using System.Collections.Frozen;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.Verification.Data;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Verification.Agencies;

/// <summary>
/// The participating agencies (SPEC §3.4), read from the database and kept in memory; re-read
/// every minute so that an agency switched off in the table stops verifying without a restart.
/// </summary>
public sealed class AgencyDirectory(IDbContextFactory<VerificationDbContext> contexts, TimeProvider time, ILogger<AgencyDirectory> logger)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyList<AgencyEntity> All, FrozenDictionary<string, AgencyEntity> ByCode, DateTimeOffset LoadedAt);

    /// <summary>All agencies in catalogue order.</summary>
    public async ValueTask<IReadOnlyList<AgencyEntity>> ListAsync(CancellationToken cancellationToken) => (await GetAsync(cancellationToken)).All;

    /// <summary>The agency's name, or the code when unknown.</summary>
    public async ValueTask<string> NameOfAsync(string code, CancellationToken cancellationToken) =>
        (await GetAsync(cancellationToken)).ByCode.TryGetValue(code, out var a) ? a.Name : code;

    /// <summary>
    /// The calling terminal's agency: the token's <c>agency</c> claim, which must name an active
    /// agency of the list; otherwise PERMISSION_DENIED. The terminal is the <c>terminal</c> claim,
    /// else the token's subject.
    /// </summary>
    public async ValueTask<AgencyTerminal> RequireAgencyAsync(Caller caller, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(cancellationToken);
        if (string.IsNullOrEmpty(caller.Agency) || !snapshot.ByCode.TryGetValue(caller.Agency, out var agency) || !agency.Active)
        {
            throw RpcErrors.PermissionDenied("UNKNOWN_AGENCY", "The caller's token does not name an active participating agency.");
        }

        var terminal = string.IsNullOrWhiteSpace(caller.Terminal) ? caller.Subject : caller.Terminal;
        return new AgencyTerminal(agency.Code, agency.Name, terminal.Length > 64 ? terminal[..64] : terminal, caller.AuditPrincipal);
    }

    private async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && time.GetUtcNow() - snapshot.LoadedAt < Lifetime)
        {
            return snapshot;
        }

        if (snapshot is not null && !await _gate.WaitAsync(0, cancellationToken))
        {
            return snapshot; // another call is reloading; the current list is good enough meanwhile
        }

        if (snapshot is null)
        {
            await _gate.WaitAsync(cancellationToken);
        }

        try
        {
            if (_snapshot is { } fresh && time.GetUtcNow() - fresh.LoadedAt < Lifetime)
            {
                return fresh;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var all = await db.Agencies.AsNoTracking().OrderBy(a => a.SortOrder).ThenBy(a => a.Code).ToListAsync(cancellationToken);
            _snapshot = new Snapshot(all, all.ToFrozenDictionary(a => a.Code, StringComparer.Ordinal), time.GetUtcNow());
            return _snapshot;
        }
        catch (Exception ex) when (snapshot is not null && ex is not OperationCanceledException)
        {
            logger.LogWarning("Reloading agencies failed ({Problem}); keeping the loaded list", ex.GetType().Name);
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>The agency and terminal behind a call, from the caller's token.</summary>
public sealed record AgencyTerminal(string Code, string Name, string Terminal, string Principal);
