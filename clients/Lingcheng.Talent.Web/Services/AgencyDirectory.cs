using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;

namespace Lingcheng.Talent.Web.Services;

/// <summary>The participating agencies (ListAgencies), read once with the first caller's token and kept for ten minutes.</summary>
public sealed class AgencyDirectory(TalentClients clients, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyDictionary<string, Agency> Agencies, DateTimeOffset Read);

    /// <summary>The agency of a code, or null when unknown or the service cannot be reached.</summary>
    public async Task<Agency?> FindAsync(WebUser user, string code, CancellationToken cancellationToken = default) =>
        (await ReadAsync(user, cancellationToken))?.GetValueOrDefault(code);

    /// <summary>Every agency by code; empty when the service cannot be reached.</summary>
    public async Task<IReadOnlyList<Agency>> AllAsync(WebUser user, CancellationToken cancellationToken = default) =>
        (await ReadAsync(user, cancellationToken))?.Values.OrderBy(a => a.Code, StringComparer.Ordinal).ToList() ?? [];

    private async Task<IReadOnlyDictionary<string, Agency>?> ReadAsync(WebUser user, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.Read > Lifetime)
        {
            try
            {
                var agencies = new Dictionary<string, Agency>(StringComparer.Ordinal);
                var request = new ListAgenciesRequest { PageSize = 200 };
                do
                {
                    var page = await clients.Verification.ListAgenciesAsync(request, user.Call(cancellationToken));
                    foreach (var agency in page.Agencies)
                    {
                        agencies[agency.Code] = agency;
                    }

                    request.PageToken = page.NextPageToken;
                }
                while (!string.IsNullOrEmpty(request.PageToken));
                _snapshot = snapshot = new Snapshot(agencies, time.GetUtcNow());
            }
            catch (RpcException) when (snapshot is not null)
            {
                // Keep the older list while the service is away.
            }
            catch (RpcException)
            {
                return null;
            }
        }

        return snapshot.Agencies;
    }
}
