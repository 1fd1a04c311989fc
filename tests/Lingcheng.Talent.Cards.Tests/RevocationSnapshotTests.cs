namespace Lingcheng.Talent.Cards.Tests;

public sealed class RevocationSnapshotTests
{
    private static readonly string Revoked = CardNumber.Create(26, 1);
    private static readonly string Suspended = CardNumber.Create(26, 2);
    private static readonly string Reissued = CardNumber.Create(26, 3);

    private static RevocationSnapshot Full(long sequence = 100) => new(
        CardToken.Issuer,
        sequence,
        TokenWorld.Start,
        null,
        [
            new RevocationEntry(Suspended, RevocationStatus.Suspended, 1),
            new RevocationEntry(Revoked, RevocationStatus.Revoked, 1),
            new RevocationEntry(Reissued, RevocationStatus.Cleared, 2),
        ]);

    [Fact]
    public void A_signed_snapshot_verifies_and_decodes_to_the_same_snapshot()
    {
        using var world = new TokenWorld();
        var snapshot = Full();

        var signed = RevocationSnapshotCodec.Sign(world.Key, snapshot);
        var outcome = RevocationSnapshotCodec.TryVerify(signed, world.Trust, out var decoded);

        Assert.Equal(SnapshotOutcome.Valid, outcome);
        Assert.Equal(snapshot, decoded);
        Assert.Equal([Revoked, Suspended, Reissued], decoded!.Entries.Select(e => e.CardNumber));
    }

    [Fact]
    public void A_signed_delta_keeps_its_from_sequence()
    {
        using var world = new TokenWorld();
        var delta = new RevocationSnapshot(CardToken.Issuer, 120, TokenWorld.Start, 100, [new RevocationEntry(Suspended, RevocationStatus.Cleared, 1)]);

        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(RevocationSnapshotCodec.Sign(world.Key, delta), world.Trust, out var decoded));
        Assert.Equal(100, decoded!.FromSequence);
        Assert.True(decoded.IsDelta);
    }

    [Fact]
    public void Tampering_with_any_byte_of_a_signed_snapshot_never_yields_valid()
    {
        using var world = new TokenWorld();
        var signed = RevocationSnapshotCodec.Sign(world.Key, Full());

        for (var i = 0; i < signed.Length; i++)
        {
            foreach (var flip in new byte[] { 0x01, 0x10, 0x80, 0xFF })
            {
                var bytes = (byte[])signed.Clone();
                bytes[i] ^= flip;
                Assert.NotEqual(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(bytes, world.Trust, out var snapshot));
                Assert.Null(snapshot);
            }
        }

        Assert.Equal(SnapshotOutcome.Malformed, RevocationSnapshotCodec.TryVerify(signed[..^1], world.Trust, out _));
        Assert.Equal(SnapshotOutcome.Malformed, RevocationSnapshotCodec.TryVerify([], world.Trust, out _));
        Assert.Equal(SnapshotOutcome.Malformed, RevocationSnapshotCodec.TryVerify((byte[]?)null, world.Trust, out _));
    }

    [Fact]
    public void A_snapshot_from_an_untrusted_or_revoked_key_is_refused()
    {
        using var world = new TokenWorld();
        var signed = RevocationSnapshotCodec.Sign(world.Key, Full());

        Assert.Equal(SnapshotOutcome.UnknownKey, RevocationSnapshotCodec.TryVerify(signed, TrustList.Empty, out _));
        Assert.Equal(SnapshotOutcome.UnknownKey, RevocationSnapshotCodec.TryVerify(signed, new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Revoked)), out _));
        var retiredBefore = new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Retired, validUntil: TokenWorld.Start.AddDays(-1)));
        Assert.Equal(SnapshotOutcome.UnknownKey, RevocationSnapshotCodec.TryVerify(signed, retiredBefore, out _));
    }

    [Fact]
    public void A_card_token_and_a_snapshot_cannot_pass_for_each_other()
    {
        using var world = new TokenWorld();
        var tokenCose = Craft.Cose(world.Static());
        var snapshotCose = RevocationSnapshotCodec.Sign(world.Key, Full());

        Assert.Equal(SnapshotOutcome.Malformed, RevocationSnapshotCodec.TryVerify(tokenCose, world.Trust, out _));
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Text(snapshotCose)).Outcome);
    }

    [Fact]
    public void Applying_a_delta_revokes_suspends_reinstates_and_supersedes()
    {
        var newlySuspended = CardNumber.Create(26, 4);
        var delta = new RevocationSnapshot(
            CardToken.Issuer,
            130,
            TokenWorld.Start.AddHours(1),
            100,
            [
                new RevocationEntry(Suspended, RevocationStatus.Cleared, 1), // reinstated
                new RevocationEntry(newlySuspended, RevocationStatus.Suspended, 1),
                new RevocationEntry(Reissued, RevocationStatus.Cleared, 3), // re-issued again
            ]);

        var merged = Full().Apply(delta);

        Assert.False(merged.IsDelta);
        Assert.Equal(130, merged.Sequence);
        Assert.Equal(TokenWorld.Start.AddHours(1), merged.IssuedAt);
        Assert.False(merged.TryGetEntry(Suspended, out _));
        Assert.Equal(RevocationStatus.Suspended, Entry(merged, newlySuspended).Status);
        Assert.Equal(RevocationStatus.Revoked, Entry(merged, Revoked).Status);
        Assert.Equal(3, Entry(merged, Reissued).MinValidVersion);
        Assert.Equal(3, merged.Entries.Count);
    }

    [Fact]
    public void A_delta_with_a_gap_is_refused_and_a_stale_one_changes_nothing()
    {
        var full = Full(sequence: 100);
        var gap = new RevocationSnapshot(CardToken.Issuer, 150, TokenWorld.Start, 101, []);
        var stale = new RevocationSnapshot(CardToken.Issuer, 90, TokenWorld.Start, 50, [new RevocationEntry(Revoked, RevocationStatus.Cleared, 1)]);
        var overlapping = new RevocationSnapshot(CardToken.Issuer, 110, TokenWorld.Start, 95, []);

        Assert.Throws<InvalidOperationException>(() => full.Apply(gap));
        Assert.Same(full, full.Apply(stale));
        Assert.Equal(110, full.Apply(overlapping).Sequence);
        Assert.Throws<InvalidOperationException>(() => gap.Apply(full));
        Assert.Throws<ArgumentException>(() => full.Apply(new RevocationSnapshot("CN-OTHER", 200, TokenWorld.Start, 100, [])));
    }

    [Fact]
    public void A_newer_full_snapshot_replaces_the_old_one()
    {
        var newer = new RevocationSnapshot(CardToken.Issuer, 500, TokenWorld.Start, null, []);
        Assert.Same(newer, Full().Apply(newer));
    }

    [Fact]
    public void Bad_entries_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RevocationSnapshot(CardToken.Issuer, 1, TokenWorld.Start, null, [new RevocationEntry("LC260000010", RevocationStatus.Revoked, 1)]));
        Assert.Throws<ArgumentException>(() => new RevocationSnapshot(CardToken.Issuer, 1, TokenWorld.Start, null, [new RevocationEntry(Revoked, RevocationStatus.Revoked, 0)]));
        Assert.Throws<ArgumentException>(() => new RevocationSnapshot(CardToken.Issuer, 1, TokenWorld.Start, null, [new RevocationEntry(Revoked, (RevocationStatus)9, 1)]));
        Assert.Throws<ArgumentException>(() => new RevocationSnapshot(CardToken.Issuer, 1, TokenWorld.Start, null, [new RevocationEntry(Revoked, RevocationStatus.Revoked, 1), new RevocationEntry(Revoked, RevocationStatus.Suspended, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RevocationSnapshot(CardToken.Issuer, 5, TokenWorld.Start, 6, []));
    }

    private static RevocationEntry Entry(RevocationSnapshot snapshot, string card)
    {
        Assert.True(snapshot.TryGetEntry(card, out var entry), card);
        return entry;
    }
}
