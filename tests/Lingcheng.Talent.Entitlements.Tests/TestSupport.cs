using Google.Rpc;
using Grpc.Core;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Reading errors the way a client does.</summary>
public static class RpcAssert
{
    public static async Task<RpcException> ThrowsAsync(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, ex.StatusCode);
        return ex;
    }

    /// <summary>The field names of the BadRequest of an INVALID_ARGUMENT.</summary>
    public static async Task<IReadOnlyList<string>> BadFieldsAsync(Func<Task> call)
    {
        var ex = await ThrowsAsync(StatusCode.InvalidArgument, call);
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        return badRequest.FieldViolations.Select(v => v.Field).ToList();
    }

    public static string? Reason(RpcException ex) => ex.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
}

/// <summary>One in-process entitlement service per test class (xunit makes one fixture instance per class).</summary>
public sealed class HostFixture : IAsyncLifetime
{
    public EntitlementsHost Service { get; } = new();

    public ValueTask InitializeAsync()
    {
        _ = Service.Server; // starts the host: migrations, seed
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => Service.DisposeAsync();
}
