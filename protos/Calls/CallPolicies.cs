using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client.Configuration;

namespace Lingcheng.Talent.Calls;

/// <summary>
/// The call policies the SDK's channels and the services' channels to each other share: one copy, next to
/// the contracts, so ServiceDefaults need not reference the agency SDK for them.
/// </summary>
public static class CallPolicies
{
    /// <summary>
    /// A gRPC service config that retries every method up to <paramref name="maxAttempts"/> times (at least 2) with
    /// exponential backoff (<paramref name="initialBackoff"/>, default 200 ms, doubling up to
    /// <paramref name="maxBackoff"/>, default 2 s), for UNAVAILABLE only (the other codes mean the call
    /// reached a service that decided). Writes are safe to retry because every write carries a request id.
    /// </summary>
    public static ServiceConfig RetryOnUnavailable(int maxAttempts, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null) => new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = Math.Max(2, maxAttempts),
                    InitialBackoff = initialBackoff ?? TimeSpan.FromMilliseconds(200),
                    MaxBackoff = maxBackoff ?? TimeSpan.FromSeconds(2),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };
}

/// <summary>
/// Gives unary calls a deadline when the caller set none, so no call waits forever. Streams get none (a
/// feed lives as long as its consumer). Used by the SDK's channels and by the services' own clients.
/// </summary>
public sealed class DefaultDeadlineInterceptor(TimeSpan deadline) : Interceptor
{
    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (context.Options.Deadline is null)
        {
            context = new ClientInterceptorContext<TRequest, TResponse>(
                context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline));
        }

        return continuation(request, context);
    }

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (context.Options.Deadline is null)
        {
            context = new ClientInterceptorContext<TRequest, TResponse>(
                context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline));
        }

        return continuation(request, context);
    }
}
