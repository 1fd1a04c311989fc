using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Lingcheng.Talent.ServiceDefaults.Errors;

/// <summary>
/// Collects the bad fields of a request and throws one INVALID_ARGUMENT carrying a
/// <c>google.rpc.BadRequest</c> that names each of them (AIP-193).
/// </summary>
public sealed class FieldViolations
{
    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public bool HasViolations => _violations.Count > 0;

    /// <summary>Records a violation when <paramref name="ok"/> is false. Returns <paramref name="ok"/>.</summary>
    public bool Check(bool ok, string field, string description)
    {
        if (!ok)
        {
            Add(field, description);
        }

        return ok;
    }

    public void Add(string field, string description) =>
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

    /// <summary>Checks a client request id: required, 1–64 printable ASCII characters.</summary>
    public bool RequestId(string value, string field = "request_id") =>
        Check(!string.IsNullOrEmpty(value) && value.Length <= 64 && value.All(c => c is > ' ' and < '\x7f'),
            field, "must be 1–64 printable ASCII characters without spaces");

    public void ThrowIfAny()
    {
        if (_violations.Count > 0)
        {
            throw ToException();
        }
    }

    public RpcException ToException()
    {
        var summary = string.Join("; ", _violations.Select(v => $"{v.Field}: {v.Description}"));
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(_violations);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"Invalid request: {summary}",
            Details =
            {
                Google.Protobuf.WellKnownTypes.Any.Pack(badRequest),
                Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo { Reason = "INVALID_ARGUMENT", Domain = RpcErrors.Domain }),
            },
        };
        return status.ToRpcException();
    }
}

/// <summary>Canonical errors with an <c>ErrorInfo</c> reason that clients can switch on.</summary>
public static class RpcErrors
{
    public const string Domain = "talent.lingcheng.gov.cn";

    public static RpcException NotFound(string what, string id) =>
        Create(Code.NotFound, "NOT_FOUND", $"{what} '{id}' was not found.");

    public static RpcException AlreadyExists(string reason, string message) => Create(Code.AlreadyExists, reason, message);

    public static RpcException FailedPrecondition(string reason, string message) => Create(Code.FailedPrecondition, reason, message);

    public static RpcException PermissionDenied(string reason, string message) => Create(Code.PermissionDenied, reason, message);

    public static RpcException Unavailable(string reason, string message) => Create(Code.Unavailable, reason, message);

    public static RpcException InvalidArgument(string field, string description)
    {
        var violations = new FieldViolations();
        violations.Add(field, description);
        return violations.ToException();
    }

    public static RpcException Create(Code code, string reason, string message) => new Google.Rpc.Status
    {
        Code = (int)code,
        Message = message,
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
    }.ToRpcException();
}
