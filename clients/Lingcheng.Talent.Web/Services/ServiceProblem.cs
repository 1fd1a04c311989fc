using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// What a page shows when a service refused or could not be reached: one sentence in the user's
/// language, and the bad fields of a <c>google.rpc.BadRequest</c> by field name. The one place that
/// reads a gRPC status for the pages.
/// </summary>
public sealed record ServiceProblem(StatusCode Code, string Message, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>True when the outcome of a write is unknown (the service may or may not have done it): retry with the same request id.</summary>
    public bool OutcomeUnknown => Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled;

    public static ServiceProblem From(RpcException exception, IStringLocalizer<SharedResource> text)
    {
        var fields = exception.FieldViolations()
            .GroupBy(v => v.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join("; ", g.Select(v => v.Description)), StringComparer.Ordinal);
        var message = exception.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => text["Problem.Unavailable"],
            StatusCode.Unauthenticated => text["Problem.Unauthenticated"],
            StatusCode.PermissionDenied => text["Problem.PermissionDenied"],
            StatusCode.ResourceExhausted => text["Problem.TooMany"],
            StatusCode.NotFound => text["Problem.NotFound"],
            StatusCode.InvalidArgument when fields.Count > 0 => text["Problem.InvalidFields", string.Join("; ", fields.Select(f => $"{f.Key}: {f.Value}"))],
            _ => text["Problem.Other", exception.Describe()],
        };
        return new ServiceProblem(exception.StatusCode, message, fields);
    }
}
