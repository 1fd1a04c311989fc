using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.Verification.Agencies;
using Lingcheng.Talent.Verification.Audit;
using Lingcheng.Talent.Verification.Benefits;
using Lingcheng.Talent.Verification.CardStates;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.Verification.Time;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Verifying;

/// <summary>
/// What an agency terminal gets from Verify, Redeem and CancelRedemption: the verdict, the
/// agency's own benefits from the entitlement service, the photo from the registry, and an
/// audit record committed before the answer leaves (SPEC §5.3, §7.4). Degraded operation: with
/// the entitlement service unreachable, Verify still answers the card's validity with the
/// agency's benefits marked UNAVAILABLE, and Redeem is UNAVAILABLE with nothing recorded.
/// </summary>
public sealed class VerificationDesk(
    CardVerifier verifier,
    AuditWriter audit,
    EntitlementService.EntitlementServiceClient entitlements,
    TalentRegistryService.TalentRegistryServiceClient registry,
    BenefitReplica benefits,
    VerificationClock clock,
    IDbContextFactory<VerificationDbContext> contexts,
    IOptions<VerificationOptions> options,
    ILogger<VerificationDesk> logger)
{
    // The last benefit list each agency received, so that with the entitlement service down the
    // terminal still sees which of its benefits exist (all marked UNAVAILABLE).
    private readonly ConcurrentDictionary<string, Entitlement[]> _lastKnownBenefits = new(StringComparer.Ordinal);

    private const int MaxQrTextLength = 4096;

    public async Task<VerifyResponse> VerifyAsync(VerifyRequest request, AgencyTerminal agency, CancellationToken cancellationToken)
    {
        var verdict = await verifier.VerifyAsync(Limit(request.QrText), cancellationToken);
        var response = Describe(verdict);
        if (verdict.IsValid)
        {
            var cardNumber = verdict.TrustedCardNumber!;
            var listed = ListBenefitsAsync(verdict.Card, cardNumber, agency, cancellationToken);
            var photo = request.IncludePhoto ? GetPhotoAsync(cardNumber, cancellationToken) : Task.FromResult<(ByteString, string)?>(null);
            var (available, list) = await listed;
            response.BenefitsAvailable = available;
            response.Benefits.AddRange(list);
            if (await photo is { } p)
            {
                response.Photo = p.Item1;
                response.PhotoContentType = p.Item2;
            }

            if (!available)
            {
                response.Message += " Benefit details are unavailable right now; the card's validity is confirmed.";
            }
        }

        var sequence = await AuditAsync(agency, "Verify", verdict, Outcomes.Name(verdict.Outcome), null, null);
        response.VerificationId = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return response;
    }

    public async Task<RedeemResponse> RedeemAsync(RedeemRequest request, AgencyTerminal agency, Metadata onBehalfOf, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.Check(!string.IsNullOrWhiteSpace(request.QrText), "qr_text", "is required");
        v.Check(request.QrText.Length <= MaxQrTextLength, "qr_text", $"must be at most {MaxQrTextLength} characters");
        v.Check(IsCode(request.BenefitCode), "benefit_code", "must be a benefit code such as ANNUAL_HEALTH_CHECK (A–Z, 0–9, _; up to 64)");
        v.RequestId(request.RedemptionId, "redemption_id");
        v.ThrowIfAny();

        var verdict = await verifier.VerifyAsync(request.QrText, cancellationToken);
        var response = new RedeemResponse
        {
            Outcome = verdict.Outcome,
            CardNumber = verdict.TrustedCardNumber ?? "",
            HolderDisplayName = HolderName(verdict),
        };

        if (!verdict.IsValid)
        {
            response.Status = RedemptionStatus.VerificationFailed;
            response.Message = "Not recorded: " + verdict.Message;
            await AuditAsync(agency, "Redeem", verdict, Outcomes.Name(verdict.Outcome), request.BenefitCode, request.RedemptionId);
            return response;
        }

        EntitlementServiceRedeemResponse result;
        try
        {
            result = await entitlements.RedeemAsync(new EntitlementServiceRedeemRequest
            {
                RedemptionId = request.RedemptionId,
                CardNumber = verdict.TrustedCardNumber!,
                CardVersion = verdict.Check.Claims!.CardVersion,
                BenefitCode = request.BenefitCode,
                AgencyCode = agency.Code,
                TerminalId = agency.Terminal,
            }, headers: onBehalfOf, deadline: DateTime.UtcNow.AddMilliseconds(options.Value.RedeemDeadlineMilliseconds), cancellationToken: cancellationToken);
        }
        catch (RpcException ex)
        {
            var mapped = MapEntitlementError(ex, "redeem");
            await AuditAsync(agency, "Redeem", verdict, mapped.StatusCode == StatusCode.Unavailable ? "UNAVAILABLE" : mapped.StatusCode.ToString().ToUpperInvariant(),
                request.BenefitCode, request.RedemptionId);
            throw mapped;
        }

        benefits.Await(verdict.TrustedCardNumber!, result.UsageSequence);
        response.Status = result.Status;
        response.Redemption = result.Redemption;
        response.Entitlement = result.Entitlement;
        response.Message = RedemptionMessage(result, request.BenefitCode);
        await AuditAsync(agency, "Redeem", verdict, StatusName(result.Status), request.BenefitCode, request.RedemptionId);
        return response;
    }

    public async Task<CancelRedemptionResponse> CancelAsync(CancelRedemptionRequest request, AgencyTerminal agency, Metadata onBehalfOf, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.RequestId(request.RedemptionId, "redemption_id");
        v.Check(request.Reason.Length <= 500 && !Echo.HasControlCharacters(request.Reason), "reason", "must be at most 500 characters, without control characters");
        v.ThrowIfAny();

        EntitlementServiceCancelRedemptionResponse result;
        try
        {
            result = await entitlements.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest
            {
                RedemptionId = request.RedemptionId,
                AgencyCode = agency.Code,
                Reason = request.Reason,
            }, headers: onBehalfOf, deadline: DateTime.UtcNow.AddMilliseconds(options.Value.RedeemDeadlineMilliseconds), cancellationToken: cancellationToken);
        }
        catch (RpcException ex)
        {
            var mapped = MapEntitlementError(ex, "cancel");
            await audit.AppendAsync(new AuditEntry(agency.Principal, agency.Code, "CancelRedemption", null, mapped.StatusCode.ToString().ToUpperInvariant(),
                $"terminal={agency.Terminal} redemption={request.RedemptionId}"));
            throw mapped;
        }

        var r = result.Redemption;
        benefits.Await(r?.CardNumber ?? "", result.UsageSequence);
        await audit.AppendAsync(new AuditEntry(agency.Principal, agency.Code, "CancelRedemption", r?.CardNumber, "CANCELLED",
            $"terminal={agency.Terminal} redemption={request.RedemptionId} benefit={r?.BenefitCode}"));
        return new CancelRedemptionResponse
        {
            Redemption = r,
            Message = $"Cancelled: the use of {r?.BenefitCode} recorded at {r?.RedeemTime?.ToDateTimeOffset().ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm} is withdrawn and the quota given back.",
        };
    }

    private static string? Limit(string? qrText) =>
        qrText is { Length: > MaxQrTextLength } ? qrText[..(MaxQrTextLength + 1)] : qrText; // still too long → MALFORMED

    private static bool IsCode(string code) =>
        code is { Length: > 0 and <= 64 } && code.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    private static string HolderName(CardVerdict verdict) =>
        verdict.Card?.HolderDisplayName ?? (verdict.Check.SignatureVerified ? verdict.Check.Claims?.HolderDisplayName : null) ?? "";

    private static VerifyResponse Describe(CardVerdict verdict)
    {
        var response = new VerifyResponse { Outcome = verdict.Outcome, Message = verdict.Message };
        if (verdict.Check.SignatureVerified && verdict.Check.Claims is { } claims)
        {
            response.CardNumber = claims.CardNumber;
            response.CardVersion = claims.CardVersion;
            response.HolderDisplayName = verdict.Card?.HolderDisplayName ?? claims.HolderDisplayName;
            response.Tier = verdict.Card?.Tier ?? (V1.Tier)(int)claims.Tier;
            response.CardExpiresAt = Timestamp.FromDateTimeOffset(verdict.Card?.ExpiresAt ?? claims.ExpiresAt);
        }

        if (verdict.StateAsOf is { } asOf)
        {
            response.StateAsOf = Timestamp.FromDateTimeOffset(asOf);
        }

        return response;
    }

    private async Task<(bool Available, IReadOnlyList<Entitlement> Benefits)> ListBenefitsAsync(CardSnapshot? card, string cardNumber, AgencyTerminal agency, CancellationToken cancellationToken)
    {
        // From this replica's copy of the usage feed when it is live; the entitlement service otherwise.
        if (card is { } snapshot && benefits.TryList(snapshot, agency.Code, clock.GetUtcNow(), out var local))
        {
            _lastKnownBenefits[agency.Code] = local;
            return (true, local);
        }

        try
        {
            var result = await entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = cardNumber, AgencyCode = agency.Code },
                deadline: DateTime.UtcNow.AddMilliseconds(options.Value.EntitlementsDeadlineMilliseconds), cancellationToken: cancellationToken);
            // Belt and braces: an agency sees only benefits it provides, whatever comes back.
            var own = result.Entitlements.Where(e => e.ProviderAgencyCodes.Count == 0 || e.ProviderAgencyCodes.Contains(agency.Code)).ToArray();
            _lastKnownBenefits[agency.Code] = own;
            return (true, own);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Entitlement service unavailable for Verify ({Status}); answering without benefits", ex.StatusCode);
            var known = _lastKnownBenefits.TryGetValue(agency.Code, out var list) ? list : [];
            return (false, known.Select(e => new Entitlement
            {
                BenefitCode = e.BenefitCode,
                BenefitName = e.BenefitName,
                QuotaPeriod = e.QuotaPeriod,
                QuotaLimit = e.QuotaLimit,
                ProviderAgencyCodes = { e.ProviderAgencyCodes },
                Eligible = false,
                Status = EntitlementStatus.Unavailable,
            }).ToArray());
        }
    }

    private async Task<(ByteString, string)?> GetPhotoAsync(string cardNumber, CancellationToken cancellationToken)
    {
        try
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(options.Value.RegistryDeadlineMilliseconds);
            string? talentId;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                talentId = await db.CardStates.AsNoTracking().Where(c => c.CardNumber == cardNumber).Select(c => c.TalentId).FirstOrDefaultAsync(cancellationToken);
            }

            if (string.IsNullOrEmpty(talentId))
            {
                talentId = (await registry.GetCardAsync(new GetCardRequest { CardNumber = cardNumber }, deadline: deadline, cancellationToken: cancellationToken)).Card.TalentId;
            }

            var talent = (await registry.GetTalentAsync(new GetTalentRequest { TalentId = talentId, IncludePhoto = true }, deadline: deadline, cancellationToken: cancellationToken)).Talent;
            return talent.Photo.IsEmpty ? null : (talent.Photo, talent.PhotoContentType);
        }
        catch (RpcException ex)
        {
            logger.LogWarning("Photo lookup failed ({Status})", ex.StatusCode);
            return null;
        }
    }

    private Task<long> AuditAsync(AgencyTerminal agency, string action, CardVerdict verdict, string outcome, string? benefit, string? redemptionId)
    {
        var check = verdict.Check;
        var detail = CardVerificationNote.Detail(agency.Terminal, check.TokenId, check.KidHex, check.Claims is not null && !check.SignatureVerified,
            benefit, redemptionId, action == "Redeem" ? Outcomes.Name(verdict.Outcome) : null);
        return audit.AppendAsync(new AuditEntry(agency.Principal, agency.Code, action, check.Claims?.CardNumber, outcome, detail));
    }

    private static RpcException MapEntitlementError(RpcException ex, string what)
    {
        switch (ex.StatusCode)
        {
            case StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.PermissionDenied or StatusCode.AlreadyExists:
                return ex.GetRpcStatus() is { } status ? status.ToRpcException() : new RpcException(new Status(ex.StatusCode, ex.Status.Detail));
            case StatusCode.DeadlineExceeded:
                return RpcErrors.Unavailable("ENTITLEMENTS_TIMEOUT",
                    $"The entitlement service did not answer in time; the {what} may or may not have been recorded. Retry with the same redemption_id: a retry never records twice.");
            default:
                // Not "nothing was recorded": a call cut off by a crash (or retried after one) may have
                // committed before the answer was lost (reliability suite, docs/reliability.md).
                return RpcErrors.Unavailable("ENTITLEMENTS_UNAVAILABLE",
                    $"The entitlement service cannot be reached or broke off; the {what} may or may not have been recorded. Retry later with the same redemption_id: a retry never records twice.");
        }
    }

    private static string StatusName(RedemptionStatus status) => ProtoNames.Short(status, "UNSPECIFIED");

    private static string RedemptionMessage(EntitlementServiceRedeemResponse r, string benefitCode)
    {
        var e = r.Entitlement;
        var name = string.IsNullOrEmpty(e?.BenefitName) ? benefitCode : $"{e.BenefitName} ({benefitCode})";
        var left = e is null || e.QuotaPeriod is QuotaPeriod.Unlimited or QuotaPeriod.Unspecified
            ? ""
            : e.QuotaPeriod == QuotaPeriod.PerCalendarYear
                ? $" {e.Remaining} of {e.QuotaLimit} left for {e.Period}."
                : $" {e.Remaining} of {e.QuotaLimit} left for this card.";
        return r.Status switch
        {
            RedemptionStatus.Redeemed => $"Recorded: one use of {name}.{left}",
            RedemptionStatus.AlreadyRedeemed => $"Already recorded earlier under this redemption id; nothing new was recorded.{left}",
            RedemptionStatus.QuotaExhausted => $"Not recorded: the quota of {name} is used up.{left}",
            RedemptionStatus.TierNotEligible => $"Not recorded: the holder's tier is not entitled to {name}.",
            RedemptionStatus.CardNotValid => "Not recorded: the card is not valid for benefits.",
            RedemptionStatus.NotProvidedByAgency => $"Not recorded: your agency does not provide {name}.",
            RedemptionStatus.BenefitInactive => $"Not recorded: {name} is currently switched off.",
            _ => string.IsNullOrEmpty(r.Message) ? "Not recorded." : r.Message,
        };
    }
}
