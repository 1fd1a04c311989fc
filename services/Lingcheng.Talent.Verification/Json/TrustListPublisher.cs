using System.Security.Cryptography;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.Verification.Trust;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Lingcheng.Talent.Verification.Json;

/// <summary>
/// <c>GET /v1/trust-list</c>: the keys this service verifies with (its copy of the registry's
/// GetTrustList, refreshed every <c>Verification:TrustListRefreshSeconds</c>) as
/// <see cref="TrustListJson"/>, the same layout as the conformance vectors. Served from memory, so
/// an anonymous caller costs no registry call; the ETag is a hash of the body, and a matching
/// If-None-Match is answered 304 without one.
/// </summary>
public sealed class TrustListPublisher(TrustListSource source, IOptions<VerificationOptions> options)
{
    private volatile Published? _published;

    public async Task WriteAsync(HttpContext context)
    {
        var list = source.Current;
        if (list.Count == 0)
        {
            // Until the first fetch (or the stored list) arrives there is nothing true to publish.
            context.Response.Headers.RetryAfter = "1";
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Trust list not loaded yet",
                "The service has not received the trust list from the registry yet; retry in a moment.");
            return;
        }

        var published = _published;
        if (published is null || !ReferenceEquals(published.List, list))
        {
            // The list is immutable and replaced as a whole, so its body is computed once per change.
            var body = TrustListJson.ToUtf8Bytes(CardToken.Issuer, list);
            published = new Published(list, body, new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\""));
            _published = published;
        }

        var response = context.Response;
        response.Headers.ETag = published.ETag.ToString();

        // Public data without credentials: a verifier running in a web page of another origin may read it.
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlExposeHeaders = "ETag";

        // As long as the service keeps its own copy before fetching again: a client that sees a kid it
        // does not know should ask again at once with If-None-Match (docs/verification.md).
        response.Headers.CacheControl = $"public, max-age={Math.Max(1, options.Value.TrustListRefreshSeconds)}";
        if (context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } conditions
            && conditions.Any(c => c.Equals(EntityTagHeaderValue.Any) || c.Compare(published.ETag, useStrongComparison: false)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = published.Body.Length;
        await response.Body.WriteAsync(published.Body, context.RequestAborted);
    }

    private sealed record Published(TrustList List, byte[] Body, EntityTagHeaderValue ETag);
}
