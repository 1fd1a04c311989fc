using System.Net.Http.Json;
using System.Text.Json;

namespace Lingcheng.Talent.Auth;

/// <summary>
/// Access tokens by OAuth 2.0 client credentials (RFC 6749 §4.4) from an OpenID Connect authority:
/// how a service calls another, and how an agency's own system signs in as its desk. The token
/// endpoint comes from the authority's discovery document; a token is reused until 80 % of its
/// lifetime has passed.
/// </summary>
public sealed class ClientCredentials(HttpClient http, string authority, string clientId, string clientSecret, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _tokenEndpoint;
    private string? _token;
    private DateTimeOffset _refreshAt;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        if (_token is { } cached && now < _refreshAt)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            now = _time.GetUtcNow();
            if (_token is null || now >= _refreshAt)
            {
                _tokenEndpoint ??= await DiscoverTokenEndpointAsync(cancellationToken);
                using var response = await http.PostAsync(_tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = clientId,
                    ["client_secret"] = clientSecret,
                }), cancellationToken);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                if (!response.IsSuccessStatusCode || !body.TryGetProperty("access_token", out var token))
                {
                    var error = body.TryGetProperty("error_description", out var d) ? d.GetString() : body.ToString();
                    throw new InvalidOperationException($"The authority refused client '{clientId}' a token ({(int)response.StatusCode}): {error}");
                }

                var lifetime = TimeSpan.FromSeconds(body.TryGetProperty("expires_in", out var e) ? e.GetInt32() : 300);
                _token = token.GetString();
                _refreshAt = now + lifetime * 0.8;
            }

            return _token!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> DiscoverTokenEndpointAsync(CancellationToken ct)
    {
        var document = await http.GetFromJsonAsync<JsonElement>(authority.TrimEnd('/') + "/.well-known/openid-configuration", ct);
        return document.GetProperty("token_endpoint").GetString()
            ?? throw new InvalidOperationException($"The authority {authority} publishes no token endpoint.");
    }
}
