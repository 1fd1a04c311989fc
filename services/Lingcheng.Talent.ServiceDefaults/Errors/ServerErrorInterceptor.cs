using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Errors;

/// <summary>
/// The last line of the error model: an exception that is not an <see cref="RpcException"/>
/// is logged (type and trace id only, never request data) and answered with INTERNAL and a
/// reference, so no stack trace or message of ours reaches a caller.
/// </summary>
public sealed class ServerErrorInterceptor(ILogger<ServerErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex, context);
        }
    }

    private RpcException Translate(Exception ex, ServerCallContext context)
    {
        if (ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
        }

        var reference = context.GetHttpContext().TraceIdentifier;
        logger.LogError(ex, "Unhandled {ExceptionType} in {Method} (reference {Reference})", ex.GetType().Name, context.Method, reference);
        return RpcErrors.Create(Google.Rpc.Code.Internal, "INTERNAL", $"Internal error (reference {reference}). The request was not completed.");
    }
}
