using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// SPEC §7.2 and the issue's degraded operation: services are killed (kill -9) and restarted,
/// so this class has a system of its own (also used for a key rotation, which would retire the key
/// the shared system's tests sign with). Each test restarts what it killed.
/// </summary>
public sealed class DegradedOperationTests(VerificationSystem fixture) : IClassFixture<VerificationSystem>
{
    private TalentSystem System => fixture.System;

    [Fact]
    public async Task With_the_registry_down_verification_answers_from_its_cache_and_catches_up_after_restart()
    {
        var (_, validQr, _) = await fixture.IssueCardAsync();
        var (revoked, revokedQr, _) = await fixture.IssueCardAsync();
        var (later, laterQr, _) = await fixture.IssueCardAsync();
        await Revoke(revoked.CardNumber);
        await fixture.WaitForFeedAsync(laterQr);

        System.Registry!.Kill();
        var before = await fixture.VerifyAsync(validQr);
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        var valid = await fixture.VerifyAsync(validQr);
        var stillRevoked = await fixture.VerifyAsync(revokedQr);

        await System.Registry.RestartAsync();
        await Revoke(later.CardNumber);
        var caughtUp = await fixture.VerifyUntilAsync(laterQr, VerificationOutcome.Revoked, TimeSpan.FromSeconds(15));

        Assert.Equal(VerificationOutcome.Valid, valid.Outcome);
        Assert.Equal(VerificationOutcome.Revoked, stillRevoked.Outcome);
        Assert.Equal(before.StateAsOf, valid.StateAsOf); // nothing new heard: the state's time stands still and shows its age
        Assert.Equal(VerificationOutcome.Revoked, caughtUp.Outcome);
        Assert.True(caughtUp.StateAsOf.ToDateTimeOffset() > valid.StateAsOf.ToDateTimeOffset());
    }

    [Fact]
    public async Task With_the_entitlement_service_down_verify_still_answers_and_redeem_is_unavailable_recording_nothing()
    {
        var (card, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        var agency = System.AsAgency("HOSP_PEOPLE", "desk-degraded");
        await fixture.WaitForFeedAsync(qr);
        var healthy = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);

        System.Entitlements!.Kill();
        // The replica answers benefits from its copy of the usage feed until the broken stream is
        // noticed (milliseconds after the kill); from then on Verify is degraded.
        var verify = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
        for (var until = DateTime.UtcNow.AddSeconds(10); verify.BenefitsAvailable && DateTime.UtcNow < until;)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
            verify = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
        }

        var redeem = await Assert.ThrowsAsync<RpcException>(() => fixture.Verification.RedeemAsync(new RedeemRequest
        {
            QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
        }, agency).ResponseAsync);
        await System.Entitlements.RestartAsync();
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, System.AsAuditor());

        Assert.True(healthy.BenefitsAvailable);
        Assert.Equal(VerificationOutcome.Valid, verify.Outcome);
        Assert.False(verify.BenefitsAvailable);
        Assert.All(verify.Benefits, b => Assert.Equal(EntitlementStatus.Unavailable, b.Status));
        Assert.Equal(healthy.Benefits.Count, verify.Benefits.Count);
        Assert.Equal(StatusCode.Unavailable, redeem.StatusCode);
        Assert.Empty(history.Redemptions);
    }

    [Fact]
    public async Task A_restarted_verification_service_resumes_from_its_stored_states_even_without_the_registry()
    {
        var (_, validQr, _) = await fixture.IssueCardAsync();
        var (revoked, revokedQr, _) = await fixture.IssueCardAsync();
        await Revoke(revoked.CardNumber);
        await fixture.WaitForFeedAsync(validQr);
        await Task.Delay(500, TestContext.Current.CancellationToken); // the states reach the database a moment after memory

        System.Registry!.Kill();
        fixture.VerificationProcess.Kill();
        await fixture.VerificationProcess.RestartAsync();
        var valid = await fixture.VerifyAsync(validQr);
        var stillRevoked = await fixture.VerifyAsync(revokedQr);
        await System.Registry.RestartAsync();

        Assert.Equal(VerificationOutcome.Valid, valid.Outcome);
        Assert.Equal(VerificationOutcome.Revoked, stillRevoked.Outcome);
        Assert.Matches(@"resuming after sequence [1-9]", fixture.VerificationProcess.Output);
    }

    [Fact]
    public async Task A_rotated_signing_key_is_trusted_at_once_without_a_restart()
    {
        var (_, oldQr, _) = await fixture.IssueCardAsync();
        await fixture.WaitForFeedAsync(oldQr);

        var rotation = await fixture.Registry.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, System.AsHrOfficer());
        var (_, newQr, _) = await fixture.IssueCardAsync();
        var fresh = await fixture.VerifyAsync(newQr);
        var old = await fixture.VerifyAsync(oldQr);

        Assert.NotEqual(rotation.ActiveKey.Kid, rotation.RetiredKey.Kid);
        Assert.Equal(VerificationOutcome.Valid, fresh.Outcome);
        Assert.Equal(VerificationOutcome.Valid, old.Outcome);
    }

    private Task Revoke(string cardNumber) => fixture.Registry.RevokeCardAsync(new RevokeCardRequest
    {
        RequestId = SyntheticData.RequestId(), CardNumber = cardNumber, Reason = RevocationReason.Other, Note = "test",
    }, System.AsHrOfficer()).ResponseAsync;
}

