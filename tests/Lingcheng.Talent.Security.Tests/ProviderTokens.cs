using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>An access token the built-in identity provider issued to one of <see cref="RoleTable.Callers"/>.</summary>
/// <param name="Caller">The account or client it was issued to (for the talent: the card number, which is the account name).</param>
public sealed record ProviderToken(string Caller, string Role, string Token);

/// <summary>
/// One real access token per caller of <see cref="RoleTable.Callers"/>, taken from the provider once at the start of
/// the suite the way each caller really gets one: the demo HR officer and auditor sign in with their password and set
/// up the second factor, the demo desk signs in with its password (all through the device flow of <c>lct</c>); a talent
/// is registered by that HR officer, given a card and an activation code from the account API, and activates their
/// account; each service takes its own client's token by client credentials with its secret file. Access tokens
/// last an hour, the suite a minute or two, so they are fetched once and shared.
/// </summary>
public sealed class ProviderTokens
{
    private ProviderTokens(IReadOnlyList<ProviderToken> all, Card talentCard, V1.Talent talent)
    {
        All = all;
        TalentCard = talentCard;
        Talent = talent;
    }

    /// <summary>One token per caller, in the order of <see cref="RoleTable.Callers"/>.</summary>
    public IReadOnlyList<ProviderToken> All { get; }

    /// <summary>The card of the talent whose account was activated (the talent token's <c>card</c>).</summary>
    public Card TalentCard { get; }

    /// <summary>That talent as HR registered them (with its id).</summary>
    public V1.Talent Talent { get; }

    /// <summary>The tokens of every caller holding <paramref name="role"/> (none for a role no account can hold).</summary>
    public IEnumerable<ProviderToken> Of(string role) => All.Where(t => t.Role == role);

    /// <summary>Takes every caller's token from the running provider; the HR officer's first, as the talent's account needs it.</summary>
    public static async Task<ProviderTokens> FetchAsync(SecuritySystem fixture)
    {
        var system = fixture.System;
        var authority = system.Identity!.Address;
        var keys = Path.Combine(system.DataDirectory, "keys");
        var passwords = File.ReadAllLines(Path.Combine(keys, "demo-accounts.txt")).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length == 3)
            .ToDictionary(parts => parts[0], parts => parts[2], StringComparer.Ordinal);

        var tokens = new Dictionary<string, Task<string>>(StringComparer.Ordinal);
        foreach (var (caller, role) in RoleTable.Callers.Where(c => c.Role != Roles.Talent))
        {
            tokens[caller] = role == Roles.Service
                ? ClientTokenAsync(authority, caller, (await File.ReadAllTextAsync(Path.Combine(keys, "clients", caller + ".secret"))).Trim())
                : SignInAsync(authority, caller, passwords[caller]);
        }

        var hr = await tokens[RoleTable.Callers.First(c => c.Role == Roles.HrOfficer).Caller];
        var (card, talent, talentToken) = await TalentAsync(fixture, authority, hr);
        var all = new List<ProviderToken>();
        foreach (var (caller, role) in RoleTable.Callers)
        {
            all.Add(role == Roles.Talent ? new ProviderToken(card.CardNumber, role, talentToken) : new ProviderToken(caller, role, await tokens[caller]));
        }

        return new ProviderTokens(all, card, talent);
    }

    private static async Task<string> SignInAsync(string authority, string userName, string password)
    {
        using var browser = new IdentityBrowser(authority);
        return await browser.TokenAsync(userName, password);
    }

    private static async Task<string> ClientTokenAsync(string authority, string clientId, string secret)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(authority + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.TryGetProperty("access_token", out var token)
            ? token.GetString()!
            : throw new InvalidOperationException($"No token for client {clientId}: {(int)response.StatusCode} {json}");
    }

    /// <summary>HR registers a talent and issues a card with its real token, opens the talent's account; the talent activates it and signs in.</summary>
    private static async Task<(Card Card, V1.Talent Talent, string Token)> TalentAsync(SecuritySystem fixture, string authority, string hrToken)
    {
        var hr = fixture.Bearer(hrToken);
        var input = SyntheticData.NewTalent();
        fixture.Remember(input);
        var created = (await fixture.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = input }, hr)).Talent;
        var issued = await fixture.Registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId }, hr);
        fixture.RememberQr(issued.QrText);
        input.TalentId = created.TalentId;

        using var api = new HttpClient { BaseAddress = new Uri(authority + "/"), Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hrToken);
        using var response = await api.PostAsJsonAsync("api/accounts/talents", new { cardNumber = issued.Card.CardNumber });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var code = answer.TryGetProperty("activationCode", out var c)
            ? c.GetString()!
            : throw new InvalidOperationException($"No activation code: {(int)response.StatusCode} {answer}");
        fixture.Sensitive["activation code " + issued.Card.CardNumber] = code;

        var password = "Sec-" + Guid.NewGuid().ToString("N")[..12] + "!9";
        fixture.Sensitive["password " + issued.Card.CardNumber] = password;
        using var browser = new IdentityBrowser(authority);
        var device = await browser.DeviceAuthorizationAsync();
        var back = "/connect/verify?user_code=" + Uri.EscapeDataString(device.UserCode);
        var activate = await browser.GetAsync("account/activate?returnUrl=" + Uri.EscapeDataString(back));
        await browser.PostFormAsync(activate, new()
        {
            ["CardNumber"] = issued.Card.CardNumber,
            ["DocumentTail"] = input.DocumentNumber[^6..],
            ["Code"] = code,
            ["NewPassword"] = password,
            ["ConfirmPassword"] = password,
            ["ReturnUrl"] = back,
        });
        if (!browser.LastPage.Path.StartsWith("/connect/verify", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Activation of {issued.Card.CardNumber} ended on {browser.LastPage.Path}: {IdentityBrowser.Text(browser.LastPage.Html)}");
        }

        await browser.PostFormAsync(browser.LastPage, new() { ["user_code"] = device.UserCode });
        return (issued.Card, input, await browser.RedeemDeviceCodeAsync(device.DeviceCode));
    }
}
