using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Verification.CardStates;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.Verification.Time;
using Lingcheng.Talent.V1;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Verifying;

/// <summary>The verdict on one QR text: outcome, what was decoded, and the card's state used.</summary>
public sealed record CardVerdict(
    VerificationOutcome Outcome,
    TokenCheck Check,
    CardSnapshot? Card,
    DateTimeOffset? StateAsOf,
    string Message)
{
    /// <summary>True for VALID.</summary>
    public bool IsValid => Outcome == VerificationOutcome.Valid;

    /// <summary>The card number, only when a trusted signature vouches for it.</summary>
    public string? TrustedCardNumber => Check.SignatureVerified ? Check.Claims?.CardNumber : null;
}

/// <summary>
/// The whole verification of a QR text (SPEC §5.3): the token (<see cref="TokenChecker"/>), then
/// the card's state from the in-memory cache fed by the registry — REVOKED, then SUPERSEDED
/// (token version below the card's), then SUSPENDED, then the token's time outcome, then the
/// card's own expiry; a card the feed never mentioned is asked of the registry once
/// (<c>GetCard</c>) in case its ISSUED event is still on the way, else UNKNOWN_CARD.
/// </summary>
public sealed class CardVerifier(
    TokenChecker tokens,
    CardStateCache cache,
    TalentRegistryService.TalentRegistryServiceClient registry,
    VerificationClock time,
    IOptions<VerificationOptions> options,
    ILogger<CardVerifier> logger)
{
    public async Task<CardVerdict> VerifyAsync(string? qrText, CancellationToken cancellationToken)
    {
        var check = await tokens.CheckAsync(qrText);
        if (!check.SignatureVerified || check.Claims is null)
        {
            return Verdict(check, null);
        }

        var claims = check.Claims;
        CardSnapshot card;
        if (!cache.TryGet(claims.CardNumber, out card))
        {
            var fetched = await FetchFromRegistryAsync(claims.CardNumber, cancellationToken);
            if (fetched is null)
            {
                return Verdict(check with { Outcome = TokenOutcome.UnknownCard, Detail = "the registry does not know the card" }, null);
            }

            card = fetched.Value;
        }

        var status = card.State switch
        {
            CardState.Revoked => RevocationStatus.Revoked,
            CardState.Suspended => RevocationStatus.Suspended,
            _ => (RevocationStatus?)null,
        };
        check = check.ApplyCardState(status, card.Version, cache.StateAsOf);
        if (check.Outcome == TokenOutcome.Valid && card.ExpiresAt <= time.GetUtcNow())
        {
            // Expiry is derived from the date (brief): the card ran out even if the token's exp says otherwise.
            check = check with { Outcome = TokenOutcome.Expired, Detail = "the card has expired" };
        }

        return Verdict(check, card);
    }

    private CardVerdict Verdict(TokenCheck check, CardSnapshot? card)
    {
        var outcome = Outcomes.ToProto(check.Outcome);
        return new CardVerdict(outcome, check, card, cache.StateAsOf, Outcomes.Message(outcome, check, card));
    }

    private async Task<CardSnapshot?> FetchFromRegistryAsync(string cardNumber, CancellationToken cancellationToken)
    {
        try
        {
            var response = await registry.GetCardAsync(new GetCardRequest { CardNumber = cardNumber },
                deadline: DateTime.UtcNow.AddMilliseconds(options.Value.RegistryDeadlineMilliseconds), cancellationToken: cancellationToken);
            var c = response.Card;
            return new CardSnapshot(c.CardNumber, c.CardVersion, c.State == CardState.Expired ? CardState.Active : c.State, c.Tier,
                c.HolderDisplayName, c.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException ex)
        {
            // Registry down: the cache is all we know, and it has never seen this card.
            logger.LogWarning("Registry lookup of an unseen card failed ({Status})", ex.StatusCode);
            return null;
        }
    }
}

/// <summary>Maps outcomes between the card-token library and the contract, and words them for an agency's screen.</summary>
public static class Outcomes
{
    public static VerificationOutcome ToProto(TokenOutcome outcome) => outcome switch
    {
        TokenOutcome.Valid => VerificationOutcome.Valid,
        TokenOutcome.Malformed => VerificationOutcome.Malformed,
        TokenOutcome.UnsupportedVersion => VerificationOutcome.UnsupportedVersion,
        TokenOutcome.UnknownKey => VerificationOutcome.UnknownKey,
        TokenOutcome.SignatureInvalid => VerificationOutcome.SignatureInvalid,
        TokenOutcome.NotYetValid => VerificationOutcome.NotYetValid,
        TokenOutcome.TokenExpired => VerificationOutcome.TokenExpired,
        TokenOutcome.Expired => VerificationOutcome.Expired,
        TokenOutcome.Suspended => VerificationOutcome.Suspended,
        TokenOutcome.Revoked => VerificationOutcome.Revoked,
        TokenOutcome.Superseded => VerificationOutcome.Superseded,
        TokenOutcome.UnknownCard => VerificationOutcome.UnknownCard,
        _ => VerificationOutcome.Malformed,
    };

    /// <summary>The outcome's name as audit records and the holder's list store it, e.g. VALID.</summary>
    public static string Name(VerificationOutcome outcome) => ProtoNames.Short(outcome, "UNSPECIFIED");

    public static VerificationOutcome Parse(string name) =>
        Enum.GetValues<VerificationOutcome>().FirstOrDefault(o => Name(o) == name);

    /// <summary>A sentence for the agency's screen.</summary>
    public static string Message(VerificationOutcome outcome, TokenCheck check, CardSnapshot? card) => outcome switch
    {
        VerificationOutcome.Valid => check.Claims?.Kind == TokenKind.Dynamic
            ? "Valid card (phone QR). The holder may use the benefits listed."
            : "Valid card. The holder may use the benefits listed.",
        VerificationOutcome.Malformed => "This is not a talent green card QR code, or it is damaged. Ask the holder to show the card again.",
        VerificationOutcome.UnsupportedVersion => "This QR code is of a newer or unsupported format. Update the terminal software or check the card by phone.",
        VerificationOutcome.UnknownKey => "This QR code was not signed by the Lingcheng HR bureau's trusted keys. Do not accept the card.",
        VerificationOutcome.SignatureInvalid => "The QR code has been altered or forged: its signature does not match. Do not accept the card.",
        VerificationOutcome.NotYetValid => "The QR code is dated in the future. Check the phone's or the terminal's clock, then scan again.",
        VerificationOutcome.TokenExpired => "The phone QR code has expired. Ask the holder to refresh it in the app and scan again.",
        VerificationOutcome.Expired => card is { } c
            ? $"The card expired on {c.ExpiresAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd}. The holder must renew it at the HR bureau."
            : "The card has expired. The holder must renew it at the HR bureau.",
        VerificationOutcome.Suspended => "The card is suspended by the HR bureau. Benefits cannot be used until it is reinstated.",
        VerificationOutcome.Revoked => "The card has been revoked by the HR bureau. Do not accept it.",
        VerificationOutcome.Superseded => card is { } s
            ? $"This card was replaced (re-issued as version {s.Version}); this QR is of version {check.Claims?.CardVersion}. Ask for the current card."
            : "This card was replaced by a re-issued one. Ask for the current card.",
        VerificationOutcome.UnknownCard => "The card number is not known to the registry. Do not accept the card; contact the HR bureau.",
        _ => "The QR code could not be checked.",
    };
}
