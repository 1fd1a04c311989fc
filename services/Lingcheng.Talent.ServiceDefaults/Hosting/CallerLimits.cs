using System.Globalization;
using System.Threading.RateLimiting;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Marks an RPC that is costly to answer (a card's whole history, the audit chain): each caller — talent, HR officer,
/// auditor, identified by role and subject — gets a rate and a number of concurrent calls of these RPCs
/// (<see cref="CallerLimitOptions"/>, issue 25 item 10). Agency terminals have their own limit in the verification service.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CallerLimitedAttribute : Attribute;

/// <summary>Configuration section <c>CallerLimits</c> (docs/operations.md).</summary>
public sealed class CallerLimitOptions
{
    public const string Section = "CallerLimits";

    /// <summary>Calls of the limited RPCs a caller may make per minute, sustained (0: no rate limit).</summary>
    public int PermitsPerMinute { get; set; } = 30;

    /// <summary>How many of them a caller may make at once after a pause.</summary>
    public int Burst { get; set; } = 10;

    /// <summary>How many limited calls of one caller may run at the same time (0: no limit).</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>How many streams (WatchCardEvents, WatchUsage) one caller may hold open at once (0: no limit).</summary>
    public int MaxStreamsPerCaller { get; set; } = 8;
}

/// <summary>
/// Applies <see cref="CallerLimitOptions"/>: for an RPC marked <see cref="CallerLimitedAttribute"/>, a token bucket and a
/// concurrency limit per caller; for every server stream, a cap on the streams one caller holds open. A refused call ends
/// with RESOURCE_EXHAUSTED, a message saying which limit and when to retry, and a <c>google.rpc.RetryInfo</c> detail.
/// Nothing of the request is read or stored before the check.
/// </summary>
public sealed class CallerLimitInterceptor : Interceptor, IDisposable
{
    private readonly CallerLimitOptions _options;
    private readonly ILogger<CallerLimitInterceptor> _logger;
    private readonly PartitionedRateLimiter<string> _rate;
    private readonly PartitionedRateLimiter<string> _concurrent;
    private readonly PartitionedRateLimiter<string> _streams;

    public CallerLimitInterceptor(IConfiguration configuration, ILogger<CallerLimitInterceptor> logger)
    {
        _options = configuration.GetSection(CallerLimitOptions.Section).Get<CallerLimitOptions>() ?? new CallerLimitOptions();
        _logger = logger;
        var o = _options;
        _rate = PartitionedRateLimiter.Create<string, string>(key => o.PermitsPerMinute <= 0 ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, o.Burst),
                TokensPerPeriod = Math.Max(1, o.PermitsPerMinute / 60),
                ReplenishmentPeriod = o.PermitsPerMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / o.PermitsPerMinute),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _concurrent = Concurrency(o.MaxConcurrent);
        _streams = Concurrency(o.MaxStreamsPerCaller);
    }

    private static PartitionedRateLimiter<string> Concurrency(int limit) =>
        PartitionedRateLimiter.Create<string, string>(key => limit <= 0 ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0 }));

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var http = context.GetHttpContext();
        if (http.GetEndpoint()?.Metadata.GetMetadata<CallerLimitedAttribute>() is null)
        {
            return await continuation(request, context);
        }

        var caller = KeyOf(http);
        using (var rate = _rate.AttemptAcquire(caller))
        {
            if (!rate.IsAcquired)
            {
                var after = rate.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60.0 / Math.Max(1, _options.PermitsPerMinute));
                throw Refuse(context, caller, "CALLER_RATE_LIMITED",
                    $"Rate limit exceeded: at most {_options.PermitsPerMinute} calls a minute (bursts of {_options.Burst}) of this kind per caller", after);
            }
        }

        using var slot = _concurrent.AttemptAcquire(caller);
        if (!slot.IsAcquired)
        {
            throw Refuse(context, caller, "CALLER_CONCURRENCY_LIMITED",
                $"Too many calls at once: at most {_options.MaxConcurrent} of this kind may run at the same time per caller", TimeSpan.FromSeconds(1));
        }

        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = KeyOf(context.GetHttpContext());
        using var slot = _streams.AttemptAcquire(caller);
        if (!slot.IsAcquired)
        {
            throw Refuse(context, caller, "CALLER_STREAM_LIMITED",
                $"Too many open streams: at most {_options.MaxStreamsPerCaller} per caller; close one before opening another", TimeSpan.FromSeconds(5));
        }

        await continuation(request, responseStream, context);
    }

    /// <summary>The caller: role and subject of the validated token (agency and terminal for a terminal).</summary>
    private static string KeyOf(HttpContext http)
    {
        var user = http.User;
        return string.Join('/', user.FindFirst(ClaimNames.Role)?.Value ?? "", user.FindFirst(ClaimNames.Agency)?.Value ?? "",
            user.FindFirst(ClaimNames.Terminal)?.Value ?? "", user.FindFirst(ClaimNames.Subject)?.Value ?? "");
    }

    private RpcException Refuse(ServerCallContext context, string caller, string reason, string what, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        _logger.LogWarning("{Method} refused to a caller of role {Role}: {Reason}", context.Method, caller.Split('/')[0], reason);
        context.ResponseTrailers.Add("retry-after", seconds.ToString(CultureInfo.InvariantCulture));
        return new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"{what}; retry in {seconds} s.",
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = reason, Domain = RpcErrors.Domain }),
                Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) }),
            },
        }.ToRpcException();
    }

    public void Dispose()
    {
        _rate.Dispose();
        _concurrent.Dispose();
        _streams.Dispose();
    }
}
