using System.Text.Json;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Admin;
using Lingcheng.Talent.Identity.Connect;
using Lingcheng.Talent.Identity.Keys;
using Lingcheng.Talent.Rules.Benefits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// At start (after migrations, before serving): the clients the system itself needs — the web app
/// (authorization code + PKCE), <c>lct</c> and scanners (device flow, public), one client per service
/// (client credentials, role <c>service</c>) — kept in step with the configuration and the secret
/// files; and in Development, demo accounts whose passwords are printed once.
/// </summary>
public sealed class ClientsAndDemoAccounts(
    IServiceScopeFactory scopes, IOptions<IdentityProviderOptions> options, ProviderKeys keys, IHostEnvironment environment, TimeProvider time) : IHostedService
{
    /// <summary>The public client of <c>lct login</c> and of scanner devices (device flow).</summary>
    public const string DeviceClientId = "lct";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var o = options.Value;

        var web = new OpenIddictApplicationDescriptor
        {
            ClientId = o.Web.ClientId,
            ClientSecret = keys.ClientSecret(o.Web.ClientId),
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "陵城人才绿卡 网页 (web app)",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code, Permissions.Scopes.Profile,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        var baseUrls = o.Web.BaseUrls.Length > 0 ? o.Web.BaseUrls
            : environment.IsDevelopment() ? ["http://127.0.0.1:5180", "http://localhost:5180"]
            : throw new InvalidOperationException("Identity:Web:BaseUrls (the web application's public addresses) is required outside Development.");
        foreach (var baseUrl in baseUrls)
        {
            web.RedirectUris.Add(new Uri(baseUrl.TrimEnd('/') + "/signin-oidc"));
            web.PostLogoutRedirectUris.Add(new Uri(baseUrl.TrimEnd('/') + "/signout-callback-oidc"));
        }

        await UpsertAsync(applications, web, cancellationToken);

        await UpsertAsync(applications, new OpenIddictApplicationDescriptor
        {
            ClientId = DeviceClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "lct / 扫码设备 (command line and scanners)",
            Permissions = { Permissions.Endpoints.DeviceAuthorization, Permissions.Endpoints.Token, Permissions.GrantTypes.DeviceCode, Permissions.Scopes.Profile },
        }, cancellationToken);

        foreach (var service in o.ServiceClients.Length > 0 ? o.ServiceClients : IdentityProviderOptions.DefaultServiceClients)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = service,
                ClientSecret = keys.ClientSecret(service),
                ClientType = ClientTypes.Confidential,
                DisplayName = $"{service} service",
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
            };
            descriptor.Properties[ClientProperties.Identity] = JsonSerializer.SerializeToElement(new ClientIdentity(Roles.Service, service), ClientProperties.Json);
            await UpsertAsync(applications, descriptor, cancellationToken);
        }

        if (o.SeedDemoAccounts && environment.IsDevelopment())
        {
            await SeedDemoAccountsAsync(scope.ServiceProvider.GetRequiredService<UserManager<Account>>());
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task UpsertAsync(IOpenIddictApplicationManager applications, OpenIddictApplicationDescriptor descriptor, CancellationToken ct)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, ct) is { } existing)
        {
            await applications.UpdateAsync(existing, descriptor, ct); // a rotated secret file or changed address takes effect at start
        }
        else
        {
            await applications.CreateAsync(descriptor, ct);
        }
    }

    /// <summary>
    /// One HR officer, one auditor and a desk per agency, created once on an empty account table. Their
    /// passwords go to the console once and to an owner-only file in the keys folder — never to the log.
    /// </summary>
    private async Task SeedDemoAccountsAsync(UserManager<Account> users)
    {
        if (users.Users.Any())
        {
            return;
        }

        var now = time.GetUtcNow();
        var demo = new List<Account>
        {
            new() { UserName = "hr-demo", Role = Roles.HrOfficer, DisplayName = "人事处 演示 (HR demo)" },
            new() { UserName = "auditor-demo", Role = Roles.Auditor, DisplayName = "审计 演示 (auditor demo)" },
        };
        demo.AddRange(Agencies.All.Select(a => new Account
        {
            UserName = "desk-" + a.Code.ToLowerInvariant().Replace('_', '-'),
            Role = Roles.AgencyTerminal,
            Agency = a.Code,
            Terminal = "desk-1",
            DisplayName = a.Name + " 1号窗口",
        }));

        var lines = new List<string> { "Demo accounts of this development data folder (created once; officers set up a second factor at first sign-in):" };
        foreach (var account in demo)
        {
            account.CreatedAt = now;
            account.PasswordChangedAt = now;
            var password = AccountAdministration.TemporaryPassword();
            var result = await users.CreateAsync(account, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Demo account {account.UserName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            }

            lines.Add($"  {account.UserName,-20} {account.Role,-16} {password}");
        }

        var file = Path.Combine(keys.Directory, "demo-accounts.txt");
        var text = string.Join(Environment.NewLine, lines) + Environment.NewLine;
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(file, fileOptions))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(text);
        }

        Console.Out.Write(text + $"  (also in {file})" + Environment.NewLine);
    }
}
