namespace Lingcheng.Talent.Cards.Tests;

public sealed class KeyRotationTests
{
    private static readonly DateTimeOffset Rotation = TokenWorld.Start.AddDays(100);

    [Fact]
    public void Tokens_of_the_old_and_the_new_key_both_verify_after_rotation()
    {
        using var world = new TokenWorld();
        using var next = SigningKey.Generate(Rotation);
        var oldToken = world.Static();
        world.Clock.SetUtcNow(Rotation.AddHours(1));
        var newToken = world.Issuer.IssueStatic(next, TokenWorld.Card, 2, Tier.B, "张*明", TokenWorld.CardExpiry);

        var trust = new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Retired, validUntil: Rotation), next.ToTrustedKey());

        var verifier = new CardTokenVerifier(world.Clock);
        var oldCheck = verifier.Verify(oldToken, trust);
        var newCheck = verifier.Verify(newToken, trust);
        Assert.Equal(TokenOutcome.Valid, oldCheck.Outcome);
        Assert.Equal(world.Key.KidHex, oldCheck.Key!.Kid);
        Assert.Equal(TokenOutcome.Valid, newCheck.Outcome);
        Assert.Equal(next.KidHex, newCheck.Key!.Kid);
    }

    [Fact]
    public void A_token_signed_by_a_retired_key_after_its_window_is_an_unknown_key()
    {
        // A retired key that keeps signing (leaked, or a misconfigured signer) must not be trusted
        // for what it signs after its window, even though its older tokens stay valid.
        using var world = new TokenWorld();
        world.Clock.SetUtcNow(Rotation.AddDays(1));
        var lateToken = world.Static();

        var trust = new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Retired, validUntil: Rotation));
        var check = new CardTokenVerifier(world.Clock).Verify(lateToken, trust);

        Assert.Equal(TokenOutcome.UnknownKey, check.Outcome);
        Assert.True(check.SignatureVerified);
        Assert.Contains("window", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retired_key_is_trusted_only_until_the_latest_expiry_it_signed()
    {
        // Issue 25: whoever holds a retired key can back-date iat into its window. With the trust end
        // (the latest exp the key really signed) nothing it mints outlives what it signed, and after
        // that time nothing it signed is accepted at all.
        using var world = new TokenWorld();
        var genuine = world.Static(); // exp = TokenWorld.CardExpiry
        var trustedUntil = TokenWorld.CardExpiry;
        world.Clock.SetUtcNow(Rotation.AddDays(10));
        var forged = CardTokenIssuer.Issue(world.Key, world.Claims() with
        {
            IssuedAt = Rotation.AddDays(-1),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(trustedUntil.ToUnixTimeSeconds()).AddYears(5),
        });
        var trust = new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Retired, validUntil: Rotation) with { TrustedUntil = trustedUntil });
        var verifier = new CardTokenVerifier(world.Clock);

        Assert.Equal(TokenOutcome.Valid, verifier.Verify(genuine, trust).Outcome);
        var check = verifier.Verify(forged, trust);
        Assert.Equal(TokenOutcome.UnknownKey, check.Outcome);
        Assert.Contains("no longer trusted", check.Detail, StringComparison.Ordinal);

        // Past the trust end even a token inside the bound is refused (inside the clock skew it would still be VALID otherwise).
        world.Clock.SetUtcNow(trustedUntil.AddSeconds(1));
        Assert.Equal(TokenOutcome.UnknownKey, verifier.Verify(genuine, trust).Outcome);
    }

    [Fact]
    public void The_trust_end_survives_the_json_trust_list_and_is_absent_when_unset()
    {
        using var world = new TokenWorld();
        var retired = world.Key.ToTrustedKey(TrustedKeyStatus.Retired, validUntil: Rotation) with { TrustedUntil = TokenWorld.CardExpiry };
        var json = TrustListJson.ToUtf8Bytes(CardToken.Issuer, [retired]);
        Assert.Contains("\"trustedUntil\"", System.Text.Encoding.UTF8.GetString(json));
        var parsed = TrustListJson.Parse(json, out _);
        Assert.True(parsed.TryGetKey(retired.Kid, out var back));
        Assert.Equal(retired, back);

        var active = TrustListJson.ToUtf8Bytes(CardToken.Issuer, [world.Key.ToTrustedKey()]);
        Assert.DoesNotContain("trustedUntil", System.Text.Encoding.UTF8.GetString(active)); // the v1 layout, unchanged
    }

    [Fact]
    public void A_token_dated_before_the_key_existed_is_an_unknown_key()
    {
        using var world = new TokenWorld();
        var claims = world.Claims() with { IssuedAt = TokenWorld.Start.AddDays(-1) };
        var text = CardTokenIssuer.Issue(world.Key, claims);

        var trust = new TrustList(world.Key.ToTrustedKey() with { ValidFrom = TokenWorld.Start });

        Assert.Equal(TokenOutcome.UnknownKey, world.Verifier.Verify(text, trust).Outcome);
    }

    [Fact]
    public void A_token_signed_in_the_same_second_the_key_became_valid_verifies()
    {
        var validFrom = TokenWorld.Start.AddMilliseconds(700);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(validFrom.AddMilliseconds(100));
        using var key = SigningKey.Generate(validFrom);
        var text = new CardTokenIssuer(clock).IssueStatic(key, TokenWorld.Card, 1, Tier.C, "王*", TokenWorld.CardExpiry);

        Assert.Equal(TokenOutcome.Valid, new CardTokenVerifier(clock).Verify(text, new TrustList(key.ToTrustedKey())).Outcome);
    }

    [Fact]
    public void A_trust_list_finds_keys_by_kid_bytes_and_hex_and_refuses_duplicates()
    {
        using var a = SigningKey.Generate(TokenWorld.Start);
        using var b = SigningKey.Generate(TokenWorld.Start);
        var trust = new TrustList(a.ToTrustedKey(), b.ToTrustedKey());

        Assert.True(trust.TryGetKey(a.Kid.AsSpan(), out var foundA));
        Assert.Equal(a.KidHex, foundA.Kid);
        Assert.True(trust.TryGetKey(b.KidHex, out var foundB));
        Assert.Equal(b.KidHex, foundB.Kid);
        Assert.False(trust.TryGetKey(new byte[7].AsSpan(), out _));
        Assert.False(trust.TryGetKey("not hex", out _));
        Assert.Equal(2, trust.Count);
        Assert.Throws<ArgumentException>(() => new TrustList(a.ToTrustedKey(), a.ToTrustedKey(TrustedKeyStatus.Retired)));

        var revoked = trust.With(a.ToTrustedKey(TrustedKeyStatus.Revoked));
        Assert.Equal(2, revoked.Count);
        Assert.True(revoked.TryGetKey(a.KidHex, out var nowRevoked));
        Assert.Equal(TrustedKeyStatus.Revoked, nowRevoked.Status);
    }

    [Fact]
    public void A_signing_key_survives_a_pem_round_trip_with_the_same_kid()
    {
        using var key = SigningKey.Generate(TokenWorld.Start);
        using var loaded = SigningKey.FromPkcs8Pem(key.ExportPkcs8Pem(), TokenWorld.Start, null);
        Assert.Equal(key.Kid, loaded.Kid);

        var world = new TokenWorld();
        var text = world.Issuer.IssueStatic(loaded, TokenWorld.Card, 1, Tier.D, "赵*", TokenWorld.CardExpiry);
        Assert.Equal(TokenOutcome.Valid, world.Verifier.Verify(text, new TrustList(key.ToTrustedKey())).Outcome);
    }

    [Fact]
    public void Keys_that_are_not_private_p256_keys_are_refused()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var p256 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        Assert.Throws<ArgumentException>(() => SigningKey.FromPkcs8Pem(p384.ExportPkcs8PrivateKeyPem(), TokenWorld.Start, null));
        Assert.Throws<ArgumentException>(() => SigningKey.FromPkcs8Pem(rsa.ExportPkcs8PrivateKeyPem(), TokenWorld.Start, null));
        Assert.Throws<ArgumentException>(() => SigningKey.FromPkcs8Pem(p256.ExportSubjectPublicKeyInfoPem(), TokenWorld.Start, null));
        Assert.Throws<ArgumentException>(() => new TrustedKey(p384.ExportSubjectPublicKeyInfo(), TokenWorld.Start));
        Assert.Throws<ArgumentException>(() => new TrustedKey(rsa.ExportSubjectPublicKeyInfo(), TokenWorld.Start));
        Assert.Throws<ArgumentException>(() => new TrustedKey(new byte[] { 1, 2, 3 }, TokenWorld.Start));
    }

    [Fact]
    public void A_trusted_key_round_trips_through_a_public_key_pem_and_compares_by_value()
    {
        using var key = SigningKey.Generate(TokenWorld.Start);
        var trusted = key.ToTrustedKey();
        var fromPem = TrustedKey.FromPublicKeyPem(trusted.ExportPublicKeyPem(), TokenWorld.Start);

        Assert.Equal(trusted, fromPem);
        Assert.Equal(trusted.GetHashCode(), fromPem.GetHashCode());
        Assert.NotEqual(trusted, fromPem with { Status = TrustedKeyStatus.Retired });
        Assert.Equal(key.KidHex, fromPem.Kid);
    }
}
