using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace Lingcheng.Talent.Cards.Tests;

/// <summary>Every outcome the offline token verifier decides, each reached by a real input.</summary>
public sealed class VerifierOutcomeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("LCT1:")]
    [InlineData("LCT1:A")]
    [InlineData("LCT1:bb8")]
    [InlineData("lct1:BB8")]
    [InlineData("LCT:BB8")]
    [InlineData("LCTX:BB8")]
    [InlineData("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N")]
    [InlineData("LCT1:BB8")] // valid Base45, not CBOR
    [InlineData("LCT1:陵城")]
    public void Text_that_is_not_a_card_token_is_malformed(string? text)
    {
        using var world = new TokenWorld();
        var check = world.Verify(text);
        Assert.Equal(TokenOutcome.Malformed, check.Outcome);
        Assert.False(check.SignatureVerified);
        Assert.NotNull(check.Detail);
    }

    [Fact]
    public void Text_longer_than_the_maximum_is_malformed_before_decoding()
    {
        using var world = new TokenWorld();
        var verifier = new CardTokenVerifier(world.Clock, new CardTokenVerifierOptions { MaxQrTextLength = 300 });
        var text = world.Static();

        Assert.Equal(TokenOutcome.Valid, verifier.Verify(text, world.Trust).Outcome);
        Assert.Equal(TokenOutcome.Malformed, verifier.Verify(text + new string('0', 300), world.Trust).Outcome);
        Assert.Equal(TokenOutcome.Malformed, world.Verify(CardToken.Prefix + new string('A', 10_000_000)).Outcome);
    }

    [Theory]
    [InlineData("LCT2:")]
    [InlineData("LCT9:")]
    [InlineData("LCT10:")]
    public void A_later_format_version_is_unsupported(string prefix)
    {
        using var world = new TokenWorld();
        var text = world.Static();
        Assert.Equal(TokenOutcome.UnsupportedVersion, world.Verify(prefix + text[CardToken.Prefix.Length..]).Outcome);
    }

    [Theory]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void A_signature_algorithm_other_than_es256_is_unsupported(string hash)
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var payload = Craft.ClaimsMap([.. Craft.GoodClaims(world.Clock.GetUtcNow())]);

        var text = Craft.Signed(key, payload, world.Key.Kid, new HashAlgorithmName(hash));

        Assert.Equal(TokenOutcome.UnsupportedVersion, world.Verify(text).Outcome);
    }

    [Fact]
    public void A_hand_made_es256_token_with_good_claims_is_valid()
    {
        // The control for the crafted tokens below: only the one thing each changes makes it fail.
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var text = Craft.Signed(key, Craft.ClaimsMap([.. Craft.GoodClaims(world.Clock.GetUtcNow())]), world.Key.Kid);
        Assert.Equal(TokenOutcome.Valid, world.Verify(text).Outcome);
    }

    public static TheoryData<string, int, string> BadClaims() => new()
    {
        { "iss is a number", CardToken.ClaimKeys.Issuer, "int" },
        { "sub is not a card number", CardToken.ClaimKeys.Subject, "text:LC260002311" },
        { "sub is bytes", CardToken.ClaimKeys.Subject, "bytes" },
        { "exp is text", CardToken.ClaimKeys.ExpiresAt, "text:2029" },
        { "exp is a float", CardToken.ClaimKeys.ExpiresAt, "float" },
        { "exp is beyond year 9999", CardToken.ClaimKeys.ExpiresAt, "huge" },
        { "iat is text", CardToken.ClaimKeys.IssuedAt, "text:now" },
        { "cti is 4 bytes", CardToken.ClaimKeys.TokenId, "bytes4" },
        { "cti is text", CardToken.ClaimKeys.TokenId, "text:12345678" },
        { "card version is 0", CardToken.ClaimKeys.CardVersion, "int0" },
        { "card version is text", CardToken.ClaimKeys.CardVersion, "text:1" },
        { "tier is 5", CardToken.ClaimKeys.Tier, "int5" },
        { "tier is text", CardToken.ClaimKeys.Tier, "text:A" },
        { "name is bytes", CardToken.ClaimKeys.HolderDisplayName, "bytes" },
        { "kind is 3", CardToken.ClaimKeys.Kind, "int3" },
        { "kind is an array", CardToken.ClaimKeys.Kind, "array" },
        { "iss is missing", CardToken.ClaimKeys.Issuer, "drop" },
        { "exp is missing", CardToken.ClaimKeys.ExpiresAt, "drop" },
        { "cti is missing", CardToken.ClaimKeys.TokenId, "drop" },
        { "tier is missing", CardToken.ClaimKeys.Tier, "drop" },
        { "kind is missing", CardToken.ClaimKeys.Kind, "drop" },
        { "sub appears twice", CardToken.ClaimKeys.Subject, "twice" },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public void A_signed_token_with_wrong_claims_is_malformed(string because, int claim, string value)
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var claims = Craft.GoodClaims(world.Clock.GetUtcNow());
        var index = claims.FindIndex(c => c.Key == claim);
        Action<CborWriter> write = value switch
        {
            "int" => w => w.WriteInt32(7),
            "int0" => w => w.WriteInt32(0),
            "int3" => w => w.WriteInt32(3),
            "int5" => w => w.WriteInt32(5),
            "bytes" => w => w.WriteByteString([1, 2, 3]),
            "bytes4" => w => w.WriteByteString([1, 2, 3, 4]),
            "float" => w => w.WriteDouble(1.9e9),
            "huge" => w => w.WriteInt64(long.MaxValue),
            "array" => WriteEmptyArray,
            _ when value.StartsWith("text:", StringComparison.Ordinal) => w => w.WriteTextString(value[5..]),
            _ => claims[index].Write,
        };
        if (value == "drop")
        {
            claims.RemoveAt(index);
        }
        else if (value == "twice")
        {
            claims.Add((claim, w => w.WriteTextString(CardNumber.Create(26, 1))));
        }
        else
        {
            claims[index] = (claim, write);
        }

        var check = world.Verify(Craft.Signed(key, Craft.ClaimsMap([.. claims]), world.Key.Kid));

        Assert.True(check.Outcome == TokenOutcome.Malformed, $"{because}: {check.Outcome} {check.Detail}");
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Unknown_claims_are_ignored()
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var claims = Craft.GoodClaims(world.Clock.GetUtcNow());
        claims.Add((-80000, w => w.WriteTextString("future claim")));
        claims.Add((3, WriteAudience));

        Assert.Equal(TokenOutcome.Valid, world.Verify(Craft.Signed(key, Craft.ClaimsMap([.. claims]), world.Key.Kid)).Outcome);
    }

    [Fact]
    public void A_token_whose_claims_are_bad_still_reports_its_token_id_and_kid()
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var claims = Craft.GoodClaims(world.Clock.GetUtcNow());
        claims.RemoveAll(c => c.Key == CardToken.ClaimKeys.Kind);

        var check = world.Verify(Craft.Signed(key, Craft.ClaimsMap([.. claims]), world.Key.Kid));

        Assert.Equal(TokenOutcome.Malformed, check.Outcome);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, check.TokenId);
        Assert.Equal(world.Key.Kid, check.Kid);
    }

    [Fact]
    public void A_payload_that_is_not_a_map_is_malformed()
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var writer = new CborWriter();
        writer.WriteTextString("not claims");
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, writer.Encode(), world.Key.Kid)).Outcome);
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, [], world.Key.Kid)).Outcome);
    }

    [Fact]
    public void Cose_structures_other_than_a_tagged_sign1_with_alg_and_kid_are_malformed()
    {
        using var world = new TokenWorld();
        using var key = Craft.PrivateKey(world.Key);
        var payload = Craft.ClaimsMap([.. Craft.GoodClaims(world.Clock.GetUtcNow())]);
        var good = Craft.Cose(Craft.Signed(key, payload, world.Key.Kid));

        // Untagged: the same message without the leading tag byte.
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Text(good.AsSpan(1))).Outcome);

        // No kid.
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, payload, kid: null)).Outcome);

        // A 4-byte kid.
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, payload, world.Key.Kid[..4])).Outcome);

        // kid only in the unprotected header.
        var unprotectedKid = new CoseHeaderMap { { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(world.Key.Kid) } };
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, payload, kid: null, unprotectedHeaders: unprotectedKid)).Outcome);

        // Something in the unprotected header.
        var unprotected = new CoseHeaderMap { { new CoseHeaderLabel(99), 1 } };
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, payload, world.Key.Kid, unprotectedHeaders: unprotected)).Outcome);

        // An extra protected header (a content type: that is a revocation snapshot, not a token).
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Signed(key, payload, world.Key.Kid, moreProtected: h => h.Add(CoseHeaderLabel.ContentType, "application/cwt"))).Outcome);

        // A detached payload.
        var headers = new CoseHeaderMap { { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(world.Key.Kid) } };
        var detached = CoseSign1Message.SignDetached(payload, new CoseSigner(key, HashAlgorithmName.SHA256, headers));
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Text(detached)).Outcome);

        // A COSE_Sign (multi-signer) message, tag 98.
        var multi = CoseMultiSignMessage.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA256, headers));
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Text(multi)).Outcome);

        // Trailing bytes after the message.
        Assert.Equal(TokenOutcome.Malformed, world.Verify(Craft.Text([.. good, 0x00])).Outcome);
    }

    [Fact]
    public void A_kid_not_in_the_trust_list_is_an_unknown_key()
    {
        using var world = new TokenWorld();
        using var stranger = SigningKey.Generate(TokenWorld.Start.AddDays(-1));
        var text = world.Issuer.IssueStatic(stranger, TokenWorld.Card, 1, Tier.A, "张*明", TokenWorld.CardExpiry);

        var check = world.Verify(text);

        Assert.Equal(TokenOutcome.UnknownKey, check.Outcome);
        Assert.Equal(stranger.Kid, check.Kid);
        Assert.NotNull(check.Claims);
        Assert.False(check.SignatureVerified);
        Assert.Equal(TokenOutcome.UnknownKey, world.Verifier.Verify(world.Static(), TrustList.Empty).Outcome);
    }

    [Fact]
    public void A_token_from_another_issuer_is_an_unknown_key()
    {
        using var world = new TokenWorld();
        var claims = world.Claims() with { Issuer = "CN-371402-HRSS" };
        Assert.Equal(TokenOutcome.UnknownKey, world.Verify(CardTokenIssuer.Issue(world.Key, claims)).Outcome);
    }

    [Fact]
    public void A_token_signed_by_a_revoked_key_is_an_unknown_key()
    {
        using var world = new TokenWorld();
        var text = world.Static();
        world.Trust = new TrustList(world.Key.ToTrustedKey(TrustedKeyStatus.Revoked));

        var check = world.Verify(text);

        Assert.Equal(TokenOutcome.UnknownKey, check.Outcome);
        Assert.Equal(TrustedKeyStatus.Revoked, check.Key?.Status);
    }

    [Fact]
    public void A_forged_signature_under_a_trusted_kid_is_invalid()
    {
        using var world = new TokenWorld();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = Craft.ClaimsMap([.. Craft.GoodClaims(world.Clock.GetUtcNow())]);

        var check = world.Verify(Craft.Signed(forger, payload, world.Key.Kid));

        Assert.Equal(TokenOutcome.SignatureInvalid, check.Outcome);
        Assert.False(check.SignatureVerified);
        Assert.NotNull(check.Claims);
    }

    [Fact]
    public void Altered_claims_make_the_signature_invalid()
    {
        using var world = new TokenWorld();
        var cose = Craft.Cose(world.Static());
        var tierClaim = cose.AsSpan().IndexOf(new byte[] { 0x3A, 0x00, 0x01, 0x11, 0x71, 0x02 });
        Assert.True(tierClaim > 0);

        cose[tierClaim + 5] = 0x01; // tier B → A

        var check = world.Verify(Craft.Text(cose));
        Assert.Equal(TokenOutcome.SignatureInvalid, check.Outcome);
        Assert.Equal(Tier.A, check.Claims!.Tier);
    }

    [Fact]
    public void A_token_issued_in_the_future_is_not_yet_valid()
    {
        using var world = new TokenWorld();
        var text = IssuedAt(world, TokenWorld.Start.AddMinutes(10));

        Assert.Equal(TokenOutcome.NotYetValid, world.Verify(text).Outcome);
    }

    [Fact]
    public void A_token_before_its_nbf_is_not_yet_valid()
    {
        using var world = new TokenWorld();
        var text = CardTokenIssuer.Issue(world.Key, world.Claims(notBefore: TokenWorld.Start.AddMinutes(5)));

        Assert.Equal(TokenOutcome.NotYetValid, world.Verify(text).Outcome);
        world.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(TokenOutcome.Valid, world.Verify(text).Outcome); // 60 s of skew
    }

    [Fact]
    public void Clock_skew_of_60_seconds_is_allowed_on_iat()
    {
        using var world = new TokenWorld();
        var atSkew = IssuedAt(world, TokenWorld.Start.AddSeconds(60));
        var pastSkew = IssuedAt(world, TokenWorld.Start.AddSeconds(61));

        Assert.Equal(TokenOutcome.Valid, world.Verify(atSkew).Outcome);
        Assert.Equal(TokenOutcome.NotYetValid, world.Verify(pastSkew).Outcome);
    }

    [Fact]
    public void An_old_dynamic_token_has_expired_as_a_token_and_the_skew_is_honoured()
    {
        using var world = new TokenWorld();
        var text = world.Dynamic();

        world.Clock.Advance(TimeSpan.FromSeconds(120 + 59));
        Assert.Equal(TokenOutcome.Valid, world.Verify(text).Outcome);
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        var check = world.Verify(text);
        Assert.Equal(TokenOutcome.TokenExpired, check.Outcome);
        Assert.True(check.SignatureVerified);
    }

    [Fact]
    public void A_static_token_past_the_card_expiry_is_expired()
    {
        using var world = new TokenWorld();
        var text = world.Static();

        world.Clock.SetUtcNow(TokenWorld.CardExpiry.AddSeconds(59));
        Assert.Equal(TokenOutcome.Valid, world.Verify(text).Outcome);
        world.Clock.SetUtcNow(TokenWorld.CardExpiry.AddSeconds(60));
        Assert.Equal(TokenOutcome.Expired, world.Verify(text).Outcome);
    }

    [Fact]
    public void A_configured_skew_of_zero_is_strict()
    {
        using var world = new TokenWorld();
        var verifier = new CardTokenVerifier(world.Clock, new CardTokenVerifierOptions { ClockSkew = TimeSpan.Zero });
        var text = world.Dynamic();
        world.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(TokenOutcome.Valid, verifier.Verify(text, world.Trust).Outcome);
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenOutcome.TokenExpired, verifier.Verify(text, world.Trust).Outcome);
    }

    // A token from an issuer whose clock is ahead of the verifier's.
    private static string IssuedAt(TokenWorld world, DateTimeOffset time) =>
        new CardTokenIssuer(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(time))
            .IssueStatic(world.Key, TokenWorld.Card, 1, Tier.B, TokenWorld.Name, TokenWorld.CardExpiry);

    private static void WriteEmptyArray(CborWriter writer)
    {
        writer.WriteStartArray(0);
        writer.WriteEndArray();
    }

    private static void WriteAudience(CborWriter writer)
    {
        writer.WriteStartArray(1);
        writer.WriteTextString("aud");
        writer.WriteEndArray();
    }
}
