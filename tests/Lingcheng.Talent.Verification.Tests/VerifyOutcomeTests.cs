using System.Diagnostics;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>Every outcome of SPEC §5.3 from a real QR text, against the three real services.</summary>
[Collection(SharedSystem.Name)]
public sealed class VerifyOutcomeTests(SharedVerificationSystem fixture)
{
    private TalentSystem System => fixture.System;

    [Fact]
    public async Task A_freshly_issued_card_verifies_valid_with_masked_name_tier_expiry_and_state_time()
    {
        var (card, qr, talent) = await fixture.IssueCardAsync(V1.Tier.B);

        var reply = await fixture.VerifyAsync(qr);

        Assert.Equal(VerificationOutcome.Valid, reply.Outcome);
        Assert.Equal(card.CardNumber, reply.CardNumber);
        Assert.Equal(card.HolderDisplayName, reply.HolderDisplayName);
        Assert.Contains('*', reply.HolderDisplayName);
        Assert.NotEqual(talent.FullName, reply.HolderDisplayName);
        Assert.Equal(V1.Tier.B, reply.Tier);
        Assert.Equal(card.ExpireTime.Seconds, reply.CardExpiresAt.Seconds);
        Assert.Equal(1, reply.CardVersion);
        Assert.NotNull(reply.StateAsOf);
        Assert.InRange(reply.StateAsOf.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.False(string.IsNullOrWhiteSpace(reply.Message));
        Assert.True(reply.BenefitsAvailable);
        Assert.False(string.IsNullOrEmpty(reply.VerificationId));
        Assert.True(reply.Photo.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, I am not a card")]
    [InlineData("LCT1:")]
    [InlineData("LCT1:%%%%NOT-BASE45")]
    [InlineData("LCT1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0BGJLFX3R3VHXK.PJ:2DPF6R:5SVBHABVCNN95SWMPHQUHQN%A0SOE+QQAB-HQ/HQ7IR.SQEEOK9SO:QKWU")]
    public async Task A_text_that_is_no_card_token_is_malformed_not_an_error(string text)
    {
        var reply = await fixture.VerifyAsync(text);

        Assert.Equal(VerificationOutcome.Malformed, reply.Outcome);
        Assert.Equal("", reply.CardNumber);
        Assert.Empty(reply.Benefits);
    }

    [Fact]
    public async Task An_oversized_text_is_malformed_and_the_service_stays_up()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();
        var reply = await fixture.VerifyAsync(qr + new string('A', 100_000));

        Assert.Equal(VerificationOutcome.Malformed, reply.Outcome);
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(qr)).Outcome);
    }

    [Fact]
    public async Task A_token_of_a_later_format_version_is_unsupported_version()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();

        var reply = await fixture.VerifyAsync("LCT2:" + qr[CardToken.Prefix.Length..]);

        Assert.Equal(VerificationOutcome.UnsupportedVersion, reply.Outcome);
    }

    [Fact]
    public async Task A_token_signed_by_a_foreign_key_is_unknown_key_and_names_no_card()
    {
        var (card, _, _) = await fixture.IssueCardAsync();

        var reply = await fixture.VerifyAsync(VerificationSystem.SignWithForeignKey(card.CardNumber));

        Assert.Equal(VerificationOutcome.UnknownKey, reply.Outcome);
        Assert.Equal("", reply.CardNumber); // unauthenticated claims are not shown as facts
    }

    [Fact]
    public async Task A_tampered_token_is_signature_invalid()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();

        var reply = await fixture.VerifyAsync(VerificationSystem.Tamper(qr));

        Assert.Equal(VerificationOutcome.SignatureInvalid, reply.Outcome);
        Assert.Empty(reply.Benefits);
    }

    [Fact]
    public async Task A_token_dated_an_hour_ahead_is_not_yet_valid()
    {
        var (card, _, _) = await fixture.IssueCardAsync();
        var now = DateTimeOffset.UtcNow;
        var future = fixture.SignWithRegistryKey(card.CardNumber, now.AddHours(1), now.AddYears(1));

        var reply = await fixture.VerifyAsync(future);

        Assert.Equal(VerificationOutcome.NotYetValid, reply.Outcome);
        Assert.Equal(card.CardNumber, reply.CardNumber);
    }

    [Fact]
    public async Task A_genuine_token_for_a_card_the_registry_never_issued_is_unknown_card()
    {
        var now = DateTimeOffset.UtcNow;
        var number = VerificationSystem.NeverIssuedCardNumber();
        var forged = fixture.SignWithRegistryKey(number, now, now.AddYears(1));

        var reply = await fixture.VerifyAsync(forged);

        Assert.Equal(VerificationOutcome.UnknownCard, reply.Outcome);
        Assert.Equal(number, reply.CardNumber);
        Assert.Empty(reply.Benefits);
    }

    [Fact]
    public async Task A_suspended_card_is_suspended_and_valid_again_after_reinstatement()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        var hr = System.AsHrOfficer();

        await fixture.Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = "lost wallet" }, hr);
        var suspended = await fixture.VerifyUntilAsync(qr, VerificationOutcome.Suspended, TimeSpan.FromSeconds(5));
        await fixture.Registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = "found" }, hr);
        var reinstated = await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid, TimeSpan.FromSeconds(5));

        Assert.Equal(VerificationOutcome.Suspended, suspended.Outcome);
        Assert.Empty(suspended.Benefits);
        Assert.Equal(VerificationOutcome.Valid, reinstated.Outcome);
    }

    [Fact]
    public async Task A_revoked_card_is_refused_within_one_second_on_every_replica()
    {
        var replica = fixture.SecondReplica;
        var (card, qr, _) = await fixture.IssueCardAsync();
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid, TimeSpan.FromSeconds(5))).Outcome);
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid, TimeSpan.FromSeconds(5), replica)).Outcome);

        await fixture.Registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(),
            CardNumber = card.CardNumber,
            Reason = RevocationReason.LeftDistrict,
            Note = "moved away",
        }, System.AsHrOfficer());
        var revokedAt = Stopwatch.StartNew();
        var first = fixture.VerifyUntilAsync(qr, VerificationOutcome.Revoked, TimeSpan.FromSeconds(3));
        var second = fixture.VerifyUntilAsync(qr, VerificationOutcome.Revoked, TimeSpan.FromSeconds(3), replica);
        var latencies = await Task.WhenAll(Measure(first), Measure(second));

        Assert.Equal(VerificationOutcome.Revoked, (await first).Outcome);
        Assert.Equal(VerificationOutcome.Revoked, (await second).Outcome);
        TestContext.Current.SendDiagnosticMessage($"Revocation visible after {latencies[0]} ms (replica 1) and {latencies[1]} ms (replica 2)");
        Assert.All(latencies, ms => Assert.True(ms < 1000, $"revocation took {ms} ms to reach a replica"));

        async Task<long> Measure(Task<VerifyResponse> task)
        {
            await task;
            return revokedAt.ElapsedMilliseconds;
        }
    }

    [Fact]
    public async Task After_a_reissue_the_old_token_is_superseded_and_the_new_one_valid()
    {
        var (card, oldQr, _) = await fixture.IssueCardAsync();

        var reissued = await fixture.Registry.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = "lost" }, System.AsHrOfficer());
        var old = await fixture.VerifyUntilAsync(oldQr, VerificationOutcome.Superseded, TimeSpan.FromSeconds(5));
        var current = await fixture.VerifyAsync(reissued.QrText);

        Assert.Equal(VerificationOutcome.Superseded, old.Outcome);
        Assert.Equal(VerificationOutcome.Valid, current.Outcome);
        Assert.Equal(2, current.CardVersion);
    }

    [Fact]
    public async Task With_the_clock_forty_days_ahead_a_one_month_card_is_expired_and_a_phone_token_too_old()
    {
        var later = fixture.FortyDaysLater;
        var (shortCard, shortQr, _) = await fixture.IssueCardAsync(validityMonths: 1);
        var (longCard, longQr, _) = await fixture.IssueCardAsync();
        var dynamic = await fixture.Registry.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = longCard.CardNumber }, System.AsTalent(longCard.CardNumber));

        var expired = await fixture.VerifyUntilAsync(shortQr, VerificationOutcome.Expired, TimeSpan.FromSeconds(5), later);
        var stillValid = await fixture.VerifyUntilAsync(longQr, VerificationOutcome.Valid, TimeSpan.FromSeconds(5), later);
        var tooOld = await fixture.VerifyAsync(dynamic.QrText, client: later);
        var dynamicNow = await fixture.VerifyAsync(dynamic.QrText);

        Assert.Equal(VerificationOutcome.Expired, expired.Outcome);
        Assert.Equal(shortCard.CardNumber, expired.CardNumber);
        Assert.Equal(VerificationOutcome.Valid, stillValid.Outcome);
        Assert.Equal(VerificationOutcome.TokenExpired, tooOld.Outcome);
        Assert.Equal(VerificationOutcome.Valid, dynamicNow.Outcome);
    }

    [Fact]
    public async Task The_photo_comes_only_when_asked_and_only_for_a_valid_card()
    {
        var talent = SyntheticData.NewTalent(V1.Tier.C);
        talent.Photo = Google.Protobuf.ByteString.CopyFrom(SyntheticData.TinyPng());
        talent.PhotoContentType = "image/png";
        var hr = System.AsHrOfficer();
        var created = (await fixture.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = talent }, hr)).Talent;
        var issued = await fixture.Registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId }, hr);

        var withPhoto = await fixture.VerifyAsync(issued.QrText, includePhoto: true);
        var without = await fixture.VerifyAsync(issued.QrText);
        var tampered = await fixture.VerifyAsync(VerificationSystem.Tamper(issued.QrText), includePhoto: true);

        Assert.Equal(VerificationOutcome.Valid, withPhoto.Outcome);
        Assert.Equal(SyntheticData.TinyPng(), withPhoto.Photo.ToByteArray());
        Assert.Equal("image/png", withPhoto.PhotoContentType);
        Assert.True(without.Photo.IsEmpty);
        Assert.True(tampered.Photo.IsEmpty);
    }
}
