using System.Globalization;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.Verification.Agencies;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Verification.Json;

/// <summary>
/// <c>GET /v1/revocation-snapshot[?since=N]</c>: the registry's GetRevocationSnapshot, passed through
/// unchanged — the signed COSE bytes are the registry's, so a verifier checks them against the trust
/// list exactly as it would over gRPC. The body is the proto JSON of GetRevocationSnapshotResponse
/// (<c>snapshot</c> base64, <c>sequence</c>, <c>isDelta</c>, <c>generateTime</c>), as JSON
/// transcoding would write it.
/// </summary>
public sealed class RevocationSnapshotRelay(
    TalentRegistryService.TalentRegistryServiceClient registry,
    AgencyDirectory agencies,
    ILogger<RevocationSnapshotRelay> logger)
{
    private const string SinceHint = "since must be a whole number of 0 or more: the sequence of a snapshot you hold (0 or absent: a full snapshot).";

    // Every field written, defaults included: a client should not have to know that an absent
    // isDelta means false.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public async Task WriteAsync(HttpContext context)
    {
        // The snapshot names cards and their states: no shared cache may keep a copy, and a verifier
        // keeps its own (and asks for deltas with since).
        context.Response.Headers.CacheControl = "no-store";
        var caller = Caller.From(context.User);
        if (caller.Role == Roles.AgencyTerminal)
        {
            try
            {
                // The same gate as Verify: a terminal token must name an active participating agency.
                await agencies.RequireAgencyAsync(caller, context.RequestAborted);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied)
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Unknown agency", ex.Status.Detail);
                return;
            }
        }

        var values = context.Request.Query["since"];
        long since = 0;
        if (values.Count > 1
            || (values.Count == 1 && !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out since)))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid since", SinceHint, "since");
            return;
        }

        GetRevocationSnapshotResponse response;
        try
        {
            response = await registry.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest { SinceSequence = since }, cancellationToken: context.RequestAborted);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            // The only argument is since; the registry refuses a sequence beyond its latest one.
            var reason = ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Description;
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid since",
                reason is null ? SinceHint : $"since {reason}.", "since");
            return;
        }
        catch (RpcException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the caller left
        }
        catch (RpcException ex)
        {
            logger.LogWarning("Revocation snapshot since {Since} not available from the registry: {Status}", since, ex.StatusCode);
            context.Response.Headers.RetryAfter = "5";
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Registry unavailable",
                "The registry could not be asked for the revocation snapshot just now; keep using the one you hold and retry later.");
            return;
        }

        logger.LogInformation("Revocation snapshot since {Since} (sequence {Sequence}) sent to {Principal}", since, response.Sequence, caller.AuditPrincipal);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(Formatter.Format(response), context.RequestAborted);
    }
}
