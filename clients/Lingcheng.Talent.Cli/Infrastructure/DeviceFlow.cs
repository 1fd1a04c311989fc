using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// The OAuth 2.0 device authorization grant (RFC 8628) as the identity provider's public client
/// <c>lct</c>: the endpoints from the discovery document, a user code for the person to approve in a
/// browser, then the token endpoint polled at the interval the provider asks for.
/// </summary>
internal sealed class DeviceFlow(HttpClient http, TimeProvider time)
{
    public const string ClientId = "lct";

    public const string Scope = "openid profile";

    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>RFC 8628 §3.5: without an interval the client waits 5 s; slow_down adds 5 s.</summary>
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5), SlowDownStep = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Reads <c>/.well-known/openid-configuration</c> of <paramref name="authority"/>.</summary>
    public async Task<Endpoints> DiscoverAsync(Uri authority, CancellationToken ct)
    {
        var address = new Uri(authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, address), authority, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"{authority} is not an OpenID Connect provider: {address} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var discovery = await ReadAsync<Discovery>(response, address, ct);
        if (discovery.DeviceAuthorizationEndpoint is null || discovery.TokenEndpoint is null)
        {
            throw new CliException($"the identity provider at {authority} does not offer the device flow (no device_authorization_endpoint in its discovery document)");
        }

        return new Endpoints(new Uri(discovery.DeviceAuthorizationEndpoint), new Uri(discovery.TokenEndpoint));
    }

    /// <summary>Asks for a device code and the user code to show (RFC 8628 §3.1–3.2).</summary>
    public async Task<DeviceAuthorization> StartAsync(Endpoints endpoints, CancellationToken ct)
    {
        using var response = await SendAsync(() => Form(endpoints.DeviceAuthorization, new() { ["client_id"] = ClientId, ["scope"] = Scope }), endpoints.DeviceAuthorization, ct);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, ct);
            throw new CliException($"the identity provider refused to start the sign-in: {error.Describe(response.StatusCode)}");
        }

        var device = await ReadAsync<DeviceAuthorization>(response, endpoints.DeviceAuthorization, ct);
        return device is { DeviceCode.Length: > 0, UserCode.Length: > 0, VerificationUri.Length: > 0 }
            ? device
            : throw new CliException($"the identity provider's device authorization answer lacks device_code, user_code or verification_uri ({endpoints.DeviceAuthorization})");
    }

    /// <summary>
    /// Polls the token endpoint until the person approves, refuses, or the code expires (RFC 8628 §3.4–3.5),
    /// waiting the provider's interval between polls and 5 s more after each <c>slow_down</c>.
    /// </summary>
    public async Task<TokenAnswer> PollAsync(Endpoints endpoints, DeviceAuthorization device, CancellationToken ct)
    {
        var interval = device.Interval is > 0 ? TimeSpan.FromSeconds(device.Interval.Value) : DefaultInterval;
        var lifetime = TimeSpan.FromSeconds(device.ExpiresIn is > 0 ? device.ExpiresIn.Value : 600);
        var deadline = time.GetUtcNow() + lifetime;
        var unreachable = 0;
        while (true)
        {
            await Task.Delay(interval, time, ct);
            if (time.GetUtcNow() >= deadline)
            {
                throw Expired(lifetime);
            }

            HttpResponseMessage response;
            try
            {
                response = await SendAsync(() => Form(endpoints.Token, new()
                {
                    ["grant_type"] = DeviceCodeGrant,
                    ["device_code"] = device.DeviceCode,
                    ["client_id"] = ClientId,
                }), endpoints.Token, ct);
                unreachable = 0;
            }
            catch (CliException) when (++unreachable < 3)
            {
                continue; // a network blip while the person is still typing the code: try again at the next interval
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    var token = await ReadAsync<TokenAnswer>(response, endpoints.Token, ct);
                    return token is { AccessToken.Length: > 0 }
                        ? token
                        : throw new CliException($"the identity provider's token answer has no access_token ({endpoints.Token})");
                }

                var error = await ReadErrorAsync(response, ct);
                switch (error.Error)
                {
                    case "authorization_pending":
                        continue;
                    case "slow_down":
                        interval += SlowDownStep;
                        continue;
                    case "expired_token":
                        throw Expired(lifetime);
                    case "access_denied":
                        throw new CliException("sign-in refused: the request was denied in the browser (拒绝授权). Run `lct login` again to retry");
                    default:
                        throw new CliException($"sign-in failed: {error.Describe(response.StatusCode)}");
                }
            }
        }
    }

    private static CliException Expired(TimeSpan lifetime) =>
        new($"the code expired before it was approved (codes last {(int)Math.Round(lifetime.TotalMinutes)} min; 代码已过期). Run `lct login` again");

    private static HttpRequestMessage Form(Uri address, Dictionary<string, string> fields) =>
        new(HttpMethod.Post, address) { Content = new FormUrlEncodedContent(fields) };

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, Uri address, CancellationToken ct)
    {
        using var message = request();
        try
        {
            return await http.SendAsync(message, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach the identity provider at {address.GetLeftPart(UriPartial.Authority)}: {ex.Message} (set --authority or LCT_AUTHORITY)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"the identity provider at {address.GetLeftPart(UriPartial.Authority)} did not answer in {http.Timeout.TotalSeconds:0} s");
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, Uri address, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new CliException($"{address} did not answer with JSON");
        }
    }

    private static async Task<OAuthError> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<OAuthError>(Json, ct) ?? new OAuthError(null, null);
        }
        catch (JsonException)
        {
            return new OAuthError(null, null);
        }
    }

    /// <summary>What the flow needs from the discovery document.</summary>
    public sealed record Endpoints(Uri DeviceAuthorization, Uri Token);

    /// <summary>RFC 8628 §3.2.</summary>
    public sealed record DeviceAuthorization(
        string DeviceCode, string UserCode, string VerificationUri, string? VerificationUriComplete, int? ExpiresIn, int? Interval);

    /// <summary>RFC 6749 §5.1.</summary>
    public sealed record TokenAnswer(string AccessToken, string? TokenType, int? ExpiresIn);

    private sealed record Discovery(string? DeviceAuthorizationEndpoint, string? TokenEndpoint);

    /// <summary>RFC 6749 §5.2.</summary>
    private sealed record OAuthError(string? Error, string? ErrorDescription)
    {
        public string Describe(HttpStatusCode status) =>
            Error is null ? $"HTTP {(int)status}"
            : ErrorDescription is { Length: > 0 } description ? $"{Error}: {description}"
            : Error;
    }
}
