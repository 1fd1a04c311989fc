using Lingcheng.Talent.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Verification.Json;

/// <summary>
/// The trust list and the signed revocation snapshot over plain HTTP/JSON (on the JSON door, beside
/// the transcoded Verify/Redeem/Cancel), so that a verifier written in Java, Go, JavaScript or on an
/// Android scanner can fetch what it verifies with without gRPC. docs/verification.md says who may
/// read them and why.
/// </summary>
public static class TrustEndpoints
{
    public const string TrustListPath = "/v1/trust-list";
    public const string RevocationSnapshotPath = "/v1/revocation-snapshot";

    /// <summary>
    /// The roles that may read the revocation snapshot: those the registry's GetRevocationSnapshot
    /// allows. The snapshot names card numbers with their states, so it is not public like the keys.
    /// </summary>
    public const string SnapshotRoles = Roles.AgencyTerminal + "," + Roles.HrOfficer + "," + Roles.Auditor; // no service reads it here (issue 25, item 9)

    public static IEndpointRouteBuilder MapTrustEndpoints(this IEndpointRouteBuilder app)
    {
        // Public keys are no secret, and a verifier must be able to fetch them before it has any token.
        app.MapGet(TrustListPath, (HttpContext context, TrustListPublisher publisher) => publisher.WriteAsync(context))
            .AllowAnonymous();
        app.MapGet(RevocationSnapshotPath, (HttpContext context, RevocationSnapshotRelay relay) => relay.WriteAsync(context))
            .RequireAuthorization(new AuthorizeAttribute { Roles = SnapshotRoles });
        return app;
    }
}
