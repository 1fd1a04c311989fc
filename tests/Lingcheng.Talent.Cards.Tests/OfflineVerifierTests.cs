using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cards.Tests;

public sealed class OfflineVerifierTests
{
    private static RevocationSnapshot Snapshot(params RevocationEntry[] entries) =>
        new(CardToken.Issuer, 42, TokenWorld.Start.AddMinutes(-5), null, entries);

    [Fact]
    public void A_card_absent_from_the_snapshot_is_valid_and_the_state_time_is_reported()
    {
        using var world = new TokenWorld();
        var snapshot = Snapshot(new RevocationEntry(CardNumber.Create(26, 9), RevocationStatus.Revoked, 1));

        var check = new OfflineVerifier(world.Clock).Verify(world.Static(), world.Trust, snapshot);

        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(snapshot.IssuedAt, check.StateAsOf);
    }

    [Fact]
    public void A_revoked_card_is_revoked()
    {
        using var world = new TokenWorld();
        var check = new OfflineVerifier(world.Clock).Verify(world.Static(), world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Revoked, 1)));
        Assert.Equal(TokenOutcome.Revoked, check.Outcome);
        Assert.Equal(TokenWorld.Card, check.Claims!.CardNumber);
    }

    [Fact]
    public void A_suspended_card_is_suspended()
    {
        using var world = new TokenWorld();
        var check = new OfflineVerifier(world.Clock).Verify(world.Dynamic(), world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Suspended, 1)));
        Assert.Equal(TokenOutcome.Suspended, check.Outcome);
    }

    [Fact]
    public void A_token_of_an_older_card_version_is_superseded_and_the_current_one_is_valid()
    {
        using var world = new TokenWorld();
        var snapshot = Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Cleared, 2));
        var verifier = new OfflineVerifier(world.Clock);

        Assert.Equal(TokenOutcome.Superseded, verifier.Verify(world.Static(version: 1), world.Trust, snapshot).Outcome);
        Assert.Equal(TokenOutcome.Valid, verifier.Verify(world.Static(version: 2), world.Trust, snapshot).Outcome);
    }

    [Fact]
    public void Revoked_outranks_superseded_which_outranks_suspended_and_expiry()
    {
        using var world = new TokenWorld();
        var oldCard = world.Static(version: 1);
        world.Clock.SetUtcNow(TokenWorld.CardExpiry.AddDays(1));
        var verifier = new OfflineVerifier(world.Clock);

        Assert.Equal(TokenOutcome.Revoked, verifier.Verify(oldCard, world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Revoked, 2))).Outcome);
        Assert.Equal(TokenOutcome.Superseded, verifier.Verify(oldCard, world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Suspended, 2))).Outcome);
        Assert.Equal(TokenOutcome.Suspended, verifier.Verify(oldCard, world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Suspended, 1))).Outcome);
        Assert.Equal(TokenOutcome.Expired, verifier.Verify(oldCard, world.Trust, Snapshot()).Outcome);
    }

    [Fact]
    public void A_forged_token_for_a_revoked_card_stays_a_signature_failure()
    {
        // Card state applies only to genuine tokens: a forgery must not learn the card's state.
        using var world = new TokenWorld();
        var cose = Craft.Cose(world.Static());
        cose[^1] ^= 1;

        var check = new OfflineVerifier(world.Clock).Verify(Craft.Text(cose), world.Trust, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Revoked, 1)));

        Assert.Equal(TokenOutcome.SignatureInvalid, check.Outcome);
    }

    [Fact]
    public void A_reinstatement_delta_makes_a_suspended_card_valid_again()
    {
        using var world = new TokenWorld();
        var text = world.Static();
        var suspended = Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Suspended, 1));
        var reinstated = suspended.Apply(new RevocationSnapshot(CardToken.Issuer, 43, TokenWorld.Start, 42, [new RevocationEntry(TokenWorld.Card, RevocationStatus.Cleared, 1)]));
        var verifier = new OfflineVerifier(world.Clock);

        Assert.Equal(TokenOutcome.Suspended, verifier.Verify(text, world.Trust, suspended).Outcome);
        Assert.Equal(TokenOutcome.Valid, verifier.Verify(text, world.Trust, reinstated).Outcome);
    }

    [Fact]
    public void Offline_verification_end_to_end_uses_only_a_signed_snapshot_and_the_trust_list()
    {
        using var world = new TokenWorld();
        var signed = RevocationSnapshotCodec.Sign(world.Key, Snapshot(new RevocationEntry(TokenWorld.Card, RevocationStatus.Revoked, 1)));
        var qrImage = QrCodes.RenderPng(world.Static());

        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(signed, world.Trust, out var snapshot));
        var check = new OfflineVerifier(world.Clock).Verify(QrImages.Read(qrImage), world.Trust, snapshot!);

        Assert.Equal(TokenOutcome.Revoked, check.Outcome);
    }

    [Fact]
    public void A_delta_is_not_accepted_as_the_snapshot_to_verify_against()
    {
        using var world = new TokenWorld();
        var delta = new RevocationSnapshot(CardToken.Issuer, 43, TokenWorld.Start, 42, []);
        Assert.Throws<ArgumentException>(() => new OfflineVerifier(world.Clock).Verify(world.Static(), world.Trust, delta));
    }

    [Fact]
    public void Garbage_against_a_snapshot_is_malformed()
    {
        using var world = new TokenWorld();
        Assert.Equal(TokenOutcome.Malformed, new OfflineVerifier(world.Clock).Verify("LCT1:%%%", world.Trust, Snapshot()).Outcome);
    }
}
