using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Connect;
using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.Rules.Benefits;
using Lingcheng.Talent.ServiceDefaults.Data;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Admin;

/// <summary>
/// An agency's own system (a hospital information system, a bus gate) signing in as one of its desks by
/// client credentials: HR creates the client for an agency and terminal id and hands over the secret,
/// shown once; its tokens are that desk's (role <c>agency_terminal</c>). Deleting it stops new tokens.
/// </summary>
public sealed partial class AgencyClients(IdentityDb db, IOpenIddictApplicationManager applications, AccountAudit audit)
{
    public sealed record NewAgencyClient(string? Agency, string? Terminal, string? DisplayName);

    public sealed record AgencyClientView(string ClientId, string Agency, string Terminal, string? DisplayName);

    public sealed record CreatedAgencyClient(AgencyClientView Client, string ClientSecret);

    public async Task<IReadOnlyList<AgencyClientView>> ListAsync(CancellationToken ct)
    {
        var views = new List<AgencyClientView>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, ct))
        {
            if (await ViewAsync(application, ct) is { } view)
            {
                views.Add(view);
            }
        }

        return views.OrderBy(v => v.ClientId, StringComparer.Ordinal).ToList();
    }

    public async Task<AdminResult<CreatedAgencyClient>> CreateAsync(NewAgencyClient request, string by, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var agency = request.Agency?.Trim().ToUpperInvariant() ?? "";
        var terminal = request.Terminal?.Trim() ?? "";
        if (!Agencies.IsKnown(agency))
        {
            errors["agency"] = ["未知的部门代码 (unknown agency code)."];
        }

        if (!TerminalPattern().IsMatch(terminal))
        {
            errors["terminal"] = ["终端编号须为 1–64 个字母、数字或 . _ - (1 to 64 letters, digits, '.', '_' or '-')."];
        }

        if (request.DisplayName is { } name && (name.Length > 100 || name.Any(char.IsControl)))
        {
            errors["displayName"] = ["显示名称最多 100 个字符，不含控制字符 (at most 100 characters, no control characters)."];
        }

        if (errors.Count > 0)
        {
            return AdminResult<CreatedAgencyClient>.Invalid(errors);
        }

        var clientId = $"agency-{agency.ToLowerInvariant().Replace('_', '-')}-{terminal.ToLowerInvariant()}";
        if (await applications.FindByClientIdAsync(clientId, ct) is not null)
        {
            return AdminResult<CreatedAgencyClient>.Conflict($"{agency} 的终端 {terminal} 已有系统接入 (that desk already has a client: {clientId}).");
        }

        var secret = Base64UrlSecret();
        var identity = new ClientIdentity(Roles.AgencyTerminal, request.DisplayName?.Trim(), agency, terminal);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = identity.DisplayName ?? clientId,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        descriptor.Properties[ClientProperties.Identity] = JsonSerializer.SerializeToElement(identity, ClientProperties.Json);
        await WriteTransactions.RunAsync(db, async c =>
        {
            await applications.CreateAsync(descriptor, c);
            await audit.AppendAsync(by, "CreateAgencyClient", clientId, "OK", $"desk {agency}/{terminal}", c);
            return true;
        }, ct);
        return AdminResult<CreatedAgencyClient>.Ok(new CreatedAgencyClient(new AgencyClientView(clientId, agency, terminal, identity.DisplayName), secret));
    }

    public async Task<AdminResult<AgencyClientView>> DeleteAsync(string clientId, string by, CancellationToken ct)
    {
        var application = await applications.FindByClientIdAsync(clientId, ct);
        if (application is null || await ViewAsync(application, ct) is not { } view)
        {
            return AdminResult<AgencyClientView>.NotFound($"没有系统接入 {clientId} (no such agency client).");
        }

        await WriteTransactions.RunAsync(db, async c =>
        {
            await applications.DeleteAsync(application, c);
            await audit.AppendAsync(by, "DeleteAgencyClient", clientId, "OK", null, c);
            return true;
        }, ct);
        return AdminResult<AgencyClientView>.Ok(view);
    }

    /// <summary>The client as an agency client, or null for the system's own clients.</summary>
    private async Task<AgencyClientView?> ViewAsync(object application, CancellationToken ct)
    {
        var properties = await applications.GetPropertiesAsync(application, ct);
        return properties.TryGetValue(ClientProperties.Identity, out var value)
            && value.Deserialize<ClientIdentity>(ClientProperties.Json) is { Role: Roles.AgencyTerminal, Agency: { } agency, Terminal: { } terminal } identity
            ? new AgencyClientView((await applications.GetClientIdAsync(application, ct))!, agency, terminal, identity.DisplayName)
            : null;
    }

    private static string Base64UrlSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TerminalPattern();
}
