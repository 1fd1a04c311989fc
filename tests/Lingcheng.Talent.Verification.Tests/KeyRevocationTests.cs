using System.Diagnostics;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// Issue 25 item 1 at the verification service: a leaked signing key — here the key the registry
/// imported, whose private half the test holds — is refused (UNKNOWN_KEY) within a second of
/// RevokeSigningKey, and while merely retired it mints nothing that outlives what it signed. A system
/// of its own: the revocation would break the shared system's tests.
/// </summary>
public sealed class KeyRevocationTests(VerificationSystem fixture) : IClassFixture<VerificationSystem>
{
    private TalentSystem System => fixture.System;

    [Fact]
    public async Task A_revoked_keys_tokens_are_refused_online_within_one_second_and_a_retired_key_mints_nothing_beyond_what_it_signed()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        await fixture.WaitForFeedAsync(qr);
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(qr)).Outcome);

        // Rotation retires the key; the holder of its private half back-dates iat into its window.
        var rotation = await fixture.Registry.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, System.AsHrOfficer());
        var leaked = rotation.RetiredKey.Kid;
        Assert.Equal(card.ExpireTime, rotation.RetiredKey.TrustedUntil);
        var inWindow = rotation.RetiredKey.ValidUntil.ToDateTimeOffset().AddSeconds(-2);
        var backDatedLongLived = fixture.SignWithRegistryKey(card.CardNumber, inWindow, inWindow.AddYears(9));
        var backDated = fixture.SignWithRegistryKey(card.CardNumber, inWindow, card.ExpireTime.ToDateTimeOffset());

        // A forged token living longer than anything the retired key signed is refused once the list is fetched…
        var longLived = await fixture.VerifyUntilAsync(backDatedLongLived, VerificationOutcome.UnknownKey, TimeSpan.FromSeconds(5));
        Assert.Equal(VerificationOutcome.UnknownKey, longLived.Outcome);
        // …while the genuine printed card still verifies (and so, until revocation, would a forgery inside the bound).
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(qr)).Outcome);
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(backDated)).Outcome);

        // The leak is noticed: revoke the key and time how long the verification service goes on accepting it.
        var response = await fixture.Registry.RevokeSigningKeyAsync(new RevokeSigningKeyRequest
        {
            RequestId = SyntheticData.RequestId(), Kid = leaked, Reason = "private key leaked (test)",
        }, System.AsHrOfficer());
        var clock = Stopwatch.StartNew();
        var refused = await fixture.VerifyUntilAsync(backDated, VerificationOutcome.UnknownKey, TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        TestContext.Current.SendDiagnosticMessage($"a revoked key's token refused {elapsed.TotalMilliseconds:F0} ms after RevokeSigningKey returned");
        Assert.Equal(VerificationOutcome.UnknownKey, refused.Outcome);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the revoked key was still trusted {elapsed.TotalMilliseconds:F0} ms after the revocation");

        // The genuine card printed with it is refused too: it is on the reprint report, and a fresh token verifies.
        Assert.Equal(VerificationOutcome.UnknownKey, (await fixture.VerifyAsync(qr)).Outcome);
        Assert.True(response.CardsToReprint >= 1);
        var reprint = await fixture.Registry.ListCardsAsync(new ListCardsRequest { SignedByKid = leaked, PageSize = 200 }, System.AsHrOfficer());
        Assert.Contains(card.CardNumber, reprint.Cards.Select(c => c.CardNumber));
        var fresh = await fixture.Registry.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = card.CardNumber }, System.AsHrOfficer());
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(fresh.QrText)).Outcome);
    }
}
