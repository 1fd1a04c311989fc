using Google.Rpc;
using Grpc.Core;

namespace Lingcheng.Talent.Client;

/// <summary>
/// Turns an <see cref="RpcException"/> into one line a person can act on: the status in words,
/// the bad fields of a <c>google.rpc.BadRequest</c>, and the <c>ErrorInfo</c> reason.
/// </summary>
public static class RpcErrorDescriber
{
    /// <summary>The field violations of an INVALID_ARGUMENT error: (field, description) pairs; empty when there are none.</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var badRequest = TryGetStatus(exception)?.GetDetail<BadRequest>();
        return badRequest is null
            ? []
            : [.. badRequest.FieldViolations.Select(v => (v.Field, v.Description))];
    }

    /// <summary>The machine-readable reason of the error (<c>ErrorInfo.reason</c>), when the service sent one.</summary>
    public static string? Reason(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reason = TryGetStatus(exception)?.GetDetail<ErrorInfo>()?.Reason;
        return string.IsNullOrEmpty(reason) ? null : reason;
    }

    /// <summary>
    /// One line, e.g. <c>invalid argument: talent.document_number: the check digit is wrong; talent.mobile_phone: is required</c>.
    /// Never contains a stack trace or a newline.
    /// </summary>
    public static string Describe(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var what = StatusInWords(exception.StatusCode);
        var violations = exception.FieldViolations();
        string detail;
        if (violations.Count > 0)
        {
            detail = string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        }
        else
        {
            detail = exception.StatusCode switch
            {
                StatusCode.Unavailable => "the service cannot be reached (is the system running?)",
                StatusCode.DeadlineExceeded => "the service did not answer in time",
                StatusCode.Unauthenticated => "the token is missing, expired or not signed by a key the service trusts",
                StatusCode.Unimplemented => "the service does not offer this call yet",

                // Refused by the authorization middleware before the service ran: no status detail of its own.
                StatusCode.PermissionDenied when IsBareHttpStatus(exception) => "the caller's role may not make this call",
                _ => exception.Status.Detail,
            };

            var reason = exception.Reason();
            if (reason is not null && exception.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded))
            {
                detail = string.IsNullOrWhiteSpace(detail) ? reason : $"{detail} ({reason})";
            }
        }

        return OneLine(string.IsNullOrWhiteSpace(detail) ? what : $"{what}: {detail}");
    }

    /// <summary>The status code as words, e.g. <c>permission denied</c>.</summary>
    public static string StatusInWords(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => "invalid argument",
        StatusCode.NotFound => "not found",
        StatusCode.AlreadyExists => "already exists",
        StatusCode.PermissionDenied => "permission denied",
        StatusCode.Unauthenticated => "not authenticated",
        StatusCode.FailedPrecondition => "not possible now",
        StatusCode.Unavailable => "unavailable",
        StatusCode.DeadlineExceeded => "timed out",
        StatusCode.ResourceExhausted => "too many requests",
        StatusCode.Unimplemented => "not implemented",
        StatusCode.Internal => "internal error in the service",
        StatusCode.Aborted => "aborted",
        StatusCode.Cancelled => "cancelled",
        _ => code.ToString(),
    };

    private static bool IsBareHttpStatus(RpcException exception) =>
        exception.Status.Detail.StartsWith("Bad gRPC response", StringComparison.Ordinal);

    private static Google.Rpc.Status? TryGetStatus(RpcException exception)
    {
        try
        {
            return exception.GetRpcStatus();
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null; // a status detail trailer that is not a google.rpc.Status
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
