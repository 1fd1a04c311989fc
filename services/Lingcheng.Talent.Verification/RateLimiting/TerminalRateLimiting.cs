using System.Security.Claims;
using System.Threading.RateLimiting;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Verification.Options;
using Microsoft.AspNetCore.RateLimiting;

namespace Lingcheng.Talent.Verification.RateLimiting;

/// <summary>
/// Rate limit per agency terminal (SPEC §6): a token bucket per agency + terminal claim (the
/// subject when the token has no terminal claim), <c>Verification:RateLimit:PermitsPerSecond</c>
/// sustained and <c>Verification:RateLimit:Burst</c> at once. Other roles are not limited here.
/// A refused gRPC call ends with RESOURCE_EXHAUSTED, a refused JSON call with HTTP 429.
/// </summary>
public static class TerminalRateLimiting
{
    public static IServiceCollection AddTerminalRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(VerificationOptions.Section).Get<VerificationOptions>()?.RateLimit ?? new RateLimitOptions();
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var user = context.User;
                if (limits.PermitsPerSecond <= 0 || user.FindFirstValue(ClaimNames.Role) != Roles.AgencyTerminal)
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var key = (user.FindFirstValue(ClaimNames.Agency) ?? "") + "/" + (user.FindFirstValue(ClaimNames.Terminal) ?? user.FindFirstValue(ClaimNames.Subject) ?? "");
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(limits));
            });
            o.OnRejected = (context, _) =>
            {
                var response = context.HttpContext.Response;
                var message = "Rate limit of this terminal exceeded; slow down and retry.";
                if (context.HttpContext.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
                {
                    // A trailers-only gRPC response: status in the headers, no body.
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/grpc";
                    response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                    return ValueTask.CompletedTask;
                }

                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = "1";
                return new ValueTask(response.WriteAsJsonAsync(new { code = 8, message }));
            };
        });
        return services;
    }

    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limits)
    {
        // Refill in tenths of a second when the rate allows, so the bucket drips rather than floods once a second.
        var tenths = limits.PermitsPerSecond >= 10 && limits.PermitsPerSecond % 10 == 0;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, Math.Max(limits.Burst, 1)),
            TokensPerPeriod = tenths ? limits.PermitsPerSecond / 10 : limits.PermitsPerSecond,
            ReplenishmentPeriod = tenths ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
