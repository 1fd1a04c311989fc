using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// The identity provider's account API (JSON over HTTP, a bearer token of that provider). A refused
/// request becomes one <see cref="CliException"/> line: an RFC 9457 problem's detail, or each bad field
/// with its message.
/// </summary>
internal sealed class AccountApi : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public AccountApi(Uri authority, string token, HttpMessageHandler? handler = null)
    {
        Authority = authority;
        _http = new HttpClient(handler ?? new HttpClientHandler(), disposeHandler: true)
        {
            BaseAddress = new Uri(authority.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri Authority { get; }

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonNode> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>A path segment: a user name as typed, escaped.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value.Trim());

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        else if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach the identity provider at {CliContext.Text(Authority)}: {ex.Message} (set --authority or LCT_AUTHORITY)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"the identity provider at {CliContext.Text(Authority)} did not answer in {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? node = null;
            try
            {
                node = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // not JSON (a proxy's error page): described by the status below
            }

            if (response.IsSuccessStatusCode)
            {
                return node ?? throw new CliException($"{Authority}{path.TrimStart('/')} answered {(int)response.StatusCode} without JSON");
            }

            throw new CliException(Describe(response, node));
        }
    }

    /// <summary>One line for a refused request: the fields and their messages, or the problem's detail.</summary>
    public static string Describe(HttpResponseMessage response, JsonNode? problem)
    {
        var status = (int)response.StatusCode;
        if (problem?["errors"] is JsonObject errors && errors.Count > 0)
        {
            var fields = errors.Select(e => $"{e.Key}: {string.Join(" ", (e.Value as JsonArray ?? []).Select(m => (string?)m))}");
            return $"invalid request: {string.Join("; ", fields)}";
        }

        var detail = (string?)problem?["detail"] ?? (string?)problem?["title"];
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized =>
                "the identity provider did not accept the token (expired, or not one of its own — development tokens are not): run `lct login`"
                + (response.Headers.WwwAuthenticate.FirstOrDefault()?.Parameter is { Length: > 0 } why ? $" ({why})" : ""),
            HttpStatusCode.Forbidden => "permission denied: managing accounts needs an HR officer's sign-in; auditors may only list and show them",
            _ when detail is { Length: > 0 } => detail,
            _ => $"the identity provider answered {status} {response.ReasonPhrase}",
        };
    }

    public void Dispose() => _http.Dispose();
}
