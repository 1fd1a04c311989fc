using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Lingcheng.Talent.Web.Services;

/// <summary>Everything the talent's page shows, read in one go with the talent's own token.</summary>
public sealed record CardView(
    Card Card,
    IReadOnlyList<Entitlement> Entitlements,
    IReadOnlyDictionary<string, Benefit> Benefits,
    IReadOnlyDictionary<string, Agency> Agencies,
    IReadOnlyList<Redemption> Uses,
    IReadOnlyList<CardVerification> Verifications,
    CardQr? Qr,
    DateTimeOffset FetchedAt);

/// <summary>A dynamic token drawn for the phone: the SVG, and when it stops being valid.</summary>
public sealed record CardQr(string Svg, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The talent's card (SPEC §9, <c>/card</c>) over the registry, entitlement and verification
/// services. The phone only ever gets dynamic tokens (<c>IssueDynamicToken</c>), never the printed one.
/// </summary>
public sealed class CardService(TalentClients clients, AgencyDirectory agencies, TimeProvider time, IStringLocalizer<SharedResource> text)
{
    /// <summary>Reads the card and its benefits, uses and verifications, and a fresh QR when the card is active.</summary>
    public async Task<(CardView? View, ServiceProblem? Problem)> LoadAsync(WebUser user, CancellationToken cancellationToken)
    {
        var card = user.Card!;
        try
        {
            var cardTask = clients.Registry.GetCardAsync(new GetCardRequest { CardNumber = card }, user.Call(cancellationToken)).ResponseAsync;
            var entitlementsTask = clients.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, user.Call(cancellationToken)).ResponseAsync;
            var benefitsTask = clients.Entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 100 }, user.Call(cancellationToken)).ResponseAsync;
            var usesTask = clients.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card, PageSize = 50 }, user.Call(cancellationToken)).ResponseAsync;
            var verificationsTask = clients.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card, PageSize = 50 }, user.Call(cancellationToken)).ResponseAsync;
            var qrTask = NewQrAsync(user, cancellationToken);
            var agencyList = await agencies.AllAsync(user, cancellationToken);
            await Task.WhenAll(cardTask, entitlementsTask, benefitsTask, usesTask, verificationsTask);

            var cardInfo = (await cardTask).Card;
            return (new CardView(
                cardInfo,
                (await entitlementsTask).Entitlements,
                (await benefitsTask).Benefits.ToDictionary(b => b.Code, StringComparer.Ordinal),
                agencyList.ToDictionary(a => a.Code, StringComparer.Ordinal),
                (await usesTask).Redemptions,
                (await verificationsTask).Verifications,
                cardInfo.State == CardState.Active ? await qrTask : null,
                time.GetUtcNow()), null);
        }
        catch (RpcException ex)
        {
            return (null, ServiceProblem.From(ex, text));
        }
    }

    /// <summary>A fresh dynamic token as an SVG; null when the card is not active (the registry refuses to issue one).</summary>
    public async Task<CardQr?> NewQrAsync(WebUser user, CancellationToken cancellationToken)
    {
        try
        {
            var token = await clients.Registry.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = user.Card! }, user.Call(cancellationToken));
            return new CardQr(QrCodes.RenderSvg(token.QrText), time.GetUtcNow(), token.ExpireTime.ToDateTimeOffset());
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            return null;
        }
    }
}
