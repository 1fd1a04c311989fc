namespace Lingcheng.Talent.Verification.Json;

/// <summary>
/// Errors of the plain HTTP/JSON endpoints as RFC 9457 problem details
/// (<c>application/problem+json</c>: type, title, status, detail), which any HTTP client understands.
/// The transcoded gRPC calls keep their <c>google.rpc.Status</c> bodies.
/// </summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? parameter = null)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (parameter is not null)
        {
            extensions["parameter"] = parameter;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context);
    }
}
