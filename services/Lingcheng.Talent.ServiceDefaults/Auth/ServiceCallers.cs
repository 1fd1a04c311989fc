using Grpc.Core;
using Grpc.Core.Interceptors;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Auth;

/// <summary>The client names of the services (their <c>sub</c> as callers of each other, issue 25 item 9).</summary>
public static class ServiceNames
{
    public const string Registry = "registry";
    public const string Entitlements = "entitlements";
    public const string Verification = "verification";

    public static readonly IReadOnlyList<string> All = [Registry, Entitlements, Verification];

    /// <summary>
    /// This service's own name as a caller: <c>Auth:ClientId</c> when set, else the last part of the application's
    /// name in lower case (<c>Lingcheng.Talent.Verification</c> → <c>verification</c>), the client the identity
    /// provider registers for it — so a minted development token carries the same identity as a provider's.
    /// </summary>
    public static string Of(IHostEnvironment environment, string? clientId) =>
        !string.IsNullOrEmpty(clientId) ? clientId : environment.ApplicationName.Split('.')[^1].ToLowerInvariant();
}

/// <summary>
/// Which services may call an RPC (issue 25, item 9): a caller of role <c>service</c> is accepted only when its
/// subject (the service's own client) is listed here — the role alone is not enough. An RPC without this attribute
/// accepts no service at all, whatever its roles say. Enforced by <see cref="ServiceCallerInterceptor"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServiceCallersAttribute(params string[] services) : Attribute
{
    public IReadOnlyList<string> Services { get; } = services;
}

/// <summary>
/// Refuses, with PERMISSION_DENIED naming both, a service that calls an RPC it does not need
/// (<see cref="ServiceCallersAttribute"/>). Runs after authorisation, so the roles are already checked.
/// </summary>
public sealed class ServiceCallerInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Check(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.User.FindFirst(ClaimNames.Role)?.Value != Roles.Service)
        {
            return;
        }

        var subject = http.User.FindFirst(ClaimNames.Subject)?.Value ?? "";
        var allowed = http.GetEndpoint()?.Metadata.GetMetadata<ServiceCallersAttribute>()?.Services ?? [];
        if (!allowed.Contains(subject, StringComparer.Ordinal))
        {
            var method = context.Method.Split('/')[^1];
            throw RpcErrors.PermissionDenied("SERVICE_NOT_ALLOWED", allowed.Count == 0
                ? $"{method} is not called by services; the service {Echo.Quote(subject)} may not call it."
                : $"{method} is called only by the {string.Join(", ", allowed)} service; the service {Echo.Quote(subject)} may not call it.");
        }
    }
}
