using Microsoft.AspNetCore.Http.Features;

namespace Lingcheng.Talent.Verification.Json;

/// <summary>
/// The gRPC message limit (512 KB, SPEC §6) for the HTTP/JSON endpoints too: JSON transcoding does not
/// apply <c>MaxReceiveMessageSize</c> to a JSON body, and Kestrel's own default would read 30 MB. A larger
/// body is refused with 413 before it is read. gRPC calls keep their own limit (RESOURCE_EXHAUSTED); a
/// server-wide Kestrel limit would turn those into a bare transport error, so only non-gRPC requests are limited.
/// </summary>
public sealed class JsonBodyLimit : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true
                && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = ServiceDefaults.Extensions.MaxReceiveMessageBytes;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
