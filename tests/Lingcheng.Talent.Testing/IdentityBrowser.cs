using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// Signs people in at the built-in identity provider the way a browser does — its pages, cookies and
/// antiforgery tokens — over HTTP, and takes their tokens through the device flow (the client
/// <c>lct</c>). Tests use it to get real tokens for any account; the browser tests use Chromium instead.
/// </summary>
public sealed partial class IdentityBrowser : IDisposable
{
    private readonly HttpClient _http;

    public IdentityBrowser(string authority)
    {
        Authority = authority.TrimEnd('/');
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true })
        {
            BaseAddress = new Uri(Authority + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Authority { get; }

    /// <summary>The base32 authenticator key shown when an officer set up the second factor here, for later codes.</summary>
    public string? AuthenticatorKey { get; set; }

    /// <summary>The page the last step ended on (its path and HTML), for assertions.</summary>
    public (string Path, string Html) LastPage { get; private set; }

    /// <summary>The full address of <see cref="LastPage"/> (it may be another provider's, when signing in through one).</summary>
    public string LastUrl { get; private set; } = "";

    /// <summary>
    /// Signs in (password, then the second factor or its set-up when the page asks) and returns the
    /// access token a device-flow client gets for this account. A changed password is required when
    /// the account has a temporary one: <paramref name="newPassword"/> is then chosen.
    /// </summary>
    public async Task<string> TokenAsync(string userName, string password, string? newPassword = null)
    {
        var device = await DeviceAuthorizationAsync();
        await SignInAsync(userName, password, "/connect/verify?user_code=" + Uri.EscapeDataString(device.UserCode), newPassword);
        if (!LastPage.Path.StartsWith("/connect/verify", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Sign-in of {userName} did not reach the device page but {LastPage.Path}: {Text(LastPage.Html)}");
        }

        await PostFormAsync(LastPage, new() { ["user_code"] = device.UserCode });
        return await RedeemDeviceCodeAsync(device.DeviceCode);
    }

    /// <summary>Starts the device flow as <c>lct login</c> does.</summary>
    public async Task<(string DeviceCode, string UserCode)> DeviceAuthorizationAsync(string clientId = "lct")
    {
        var response = await _http.PostAsync("connect/device", new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = clientId, ["scope"] = "openid profile" }));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("device_code").GetString()!, json.GetProperty("user_code").GetString()!);
    }

    /// <summary>Polls the token endpoint once for a device code that has been allowed.</summary>
    public async Task<string> RedeemDeviceCodeAsync(string deviceCode, string clientId = "lct")
    {
        var response = await _http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = deviceCode,
            ["client_id"] = clientId,
        }));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.TryGetProperty("access_token", out var token)
            ? token.GetString()!
            : throw new InvalidOperationException($"No token: {json}");
    }

    /// <summary>
    /// The sign-in pages from <paramref name="returnUrl"/>: password, then whatever the provider asks next
    /// (a new password when one is given, else it stops on that page; the second factor or its set-up).
    /// </summary>
    public async Task SignInAsync(string userName, string password, string returnUrl, string? newPassword = null)
    {
        var login = await GetAsync("account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        await PostFormAsync(login, new() { ["UserName"] = userName, ["Password"] = password, ["ReturnUrl"] = returnUrl });
        for (var step = 0; step < 4; step++)
        {
            if (LastPage.Path.StartsWith("/account/change-password", StringComparison.Ordinal))
            {
                if (newPassword is null)
                {
                    return; // stays on the page: the caller wanted to see it
                }

                await PostFormAsync(LastPage, new() { ["CurrentPassword"] = password, ["NewPassword"] = newPassword, ["ConfirmPassword"] = newPassword, ["ReturnUrl"] = ReturnUrlOf(LastPage) });
                password = newPassword;
                newPassword = null;
            }
            else if (LastPage.Path.StartsWith("/account/second-factor-setup", StringComparison.Ordinal))
            {
                if (KeyPattern().Match(LastPage.Html) is { Success: true } key)
                {
                    AuthenticatorKey = key.Groups[1].Value;
                    await PostFormAsync(LastPage, new() { ["Code"] = await Totp.NextCodeAsync(AuthenticatorKey), ["ReturnUrl"] = ReturnUrlOf(LastPage) });
                }

                // The recovery codes page: follow "continue".
                if (ContinuePattern().Match(LastPage.Html) is { Success: true } next)
                {
                    LastPage = await GetAsync(WebUtility.HtmlDecode(next.Groups[1].Value).TrimStart('/'));
                }
            }
            else if (LastPage.Path.StartsWith("/account/second-factor", StringComparison.Ordinal))
            {
                var code = await Totp.NextCodeAsync(AuthenticatorKey ?? throw new InvalidOperationException($"{userName} needs a second factor and no key is known."));
                await PostFormAsync(LastPage, new() { ["Code"] = code, ["ReturnUrl"] = ReturnUrlOf(LastPage) });
            }
            else
            {
                return;
            }
        }
    }

    public async Task<(string Path, string Html)> GetAsync(string relative)
    {
        var response = await _http.GetAsync(relative);
        await KeepAsync(response);
        return LastPage;
    }

    /// <summary>Posts a page's form with its antiforgery token and the given fields (to <paramref name="absolute"/> when the page is another host's).</summary>
    public async Task PostFormAsync((string Path, string Html) page, Dictionary<string, string> fields, string? absolute = null)
    {
        var antiforgery = AntiforgeryPattern().Match(page.Html);
        if (antiforgery.Success)
        {
            fields["__RequestVerificationToken"] = antiforgery.Groups[1].Value;
        }

        var response = await _http.PostAsync(absolute ?? page.Path.TrimStart('/'), new FormUrlEncodedContent(fields));
        await KeepAsync(response);
    }

    private async Task KeepAsync(HttpResponseMessage response)
    {
        var uri = response.RequestMessage!.RequestUri!;
        LastUrl = uri.ToString();
        LastPage = (uri.PathAndQuery, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The page's visible text, roughly, for messages.</summary>
    public static string Text(string html) => WebUtility.HtmlDecode(TagPattern().Replace(html, " ")).Trim();

    private static string ReturnUrlOf((string Path, string Html) page) =>
        ReturnUrlPattern().Match(page.Html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : "/";

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();

    [GeneratedRegex("id=\"authenticator-key\">([A-Z2-7]+)<")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("id=\"continue\" href=\"([^\"]+)\"")]
    private static partial Regex ContinuePattern();

    [GeneratedRegex("name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();
}

/// <summary>RFC 6238 time-based one-time codes (SHA-1, 30 s, 6 digits), as an authenticator app computes them.</summary>
public static class Totp
{
    private static readonly Dictionary<string, long> LastSteps = [];

    /// <summary>
    /// A code of a later time step than any this process used for the key. The provider accepts each code once, and
    /// none of a step before the last it accepted, so a test that signs in again within 30 s gets the next step's
    /// code (the provider's window is two steps either side); to stay at most one step ahead, it waits for the clock.
    /// </summary>
    public static async Task<string> NextCodeAsync(string base32Key)
    {
        long step;
        lock (LastSteps)
        {
            step = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30, LastSteps.GetValueOrDefault(base32Key, long.MinValue) + 1);
            LastSteps[base32Key] = step;
        }

        var wait = DateTimeOffset.UnixEpoch.AddSeconds((step - 1) * 30) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        return Code(base32Key, DateTimeOffset.UnixEpoch.AddSeconds(step * 30));
    }

    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var key = Base32(base32Key);
        var counter = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        Span<byte> message = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message, counter);
        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0f;
        var value = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var buffer = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
