using System.Text;

namespace Lingcheng.Talent.Cards.Tests;

public sealed class TokenRoundTripTests
{
    [Fact]
    public void A_static_token_verifies_and_carries_its_claims()
    {
        using var world = new TokenWorld();
        var text = world.Static(version: 3);

        var check = world.Verify(text);

        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.True(check.SignatureVerified);
        Assert.Null(check.Detail);
        var claims = Assert.IsType<CardTokenClaims>(check.Claims);
        Assert.Equal(CardToken.Issuer, claims.Issuer);
        Assert.Equal(TokenWorld.Card, claims.CardNumber);
        Assert.Equal(3, claims.CardVersion);
        Assert.Equal(Tier.B, claims.Tier);
        Assert.Equal(TokenWorld.Name, claims.HolderDisplayName);
        Assert.Equal(TokenKind.Static, claims.Kind);
        Assert.Equal(TokenWorld.Start, claims.IssuedAt);
        Assert.Equal(TokenWorld.CardExpiry, claims.ExpiresAt);
        Assert.Null(claims.NotBefore);
        Assert.Equal(8, claims.TokenId.Length);
        Assert.Equal(claims.TokenId, check.TokenId);
        Assert.Equal(world.Key.Kid, check.Kid);
        Assert.Equal(world.Key.KidHex, check.KidHex);
        Assert.Equal(world.Key.KidHex, check.Key?.Kid);
    }

    [Fact]
    public void A_dynamic_token_verifies_and_expires_after_its_lifetime()
    {
        using var world = new TokenWorld();
        var text = world.Dynamic();

        var check = world.Verify(text);

        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(TokenKind.Dynamic, check.Claims!.Kind);
        Assert.Equal(TokenWorld.Start.AddSeconds(120), check.Claims.ExpiresAt);
    }

    [Fact]
    public void A_dynamic_token_never_outlives_the_card()
    {
        using var world = new TokenWorld();
        world.Clock.SetUtcNow(TokenWorld.CardExpiry.AddSeconds(-30));

        var check = world.Verify(world.Dynamic(TimeSpan.FromMinutes(10)));

        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(TokenWorld.CardExpiry, check.Claims!.ExpiresAt);
    }

    [Fact]
    public void Two_tokens_for_the_same_card_have_different_token_ids()
    {
        using var world = new TokenWorld();
        var first = world.Verify(world.Static());
        var second = world.Verify(world.Static());
        Assert.NotEqual(first.TokenId, second.TokenId);
    }

    [Fact]
    public void The_qr_text_is_prefix_plus_base45_of_a_tagged_cose_sign1_with_alg_and_kid_protected()
    {
        using var world = new TokenWorld();
        var cose = Craft.Cose(world.Static());

        Assert.Equal(0xD2, cose[0]); // tag 18
        Assert.Equal(0x84, cose[1]); // array of 4
        var message = System.Security.Cryptography.Cose.CoseMessage.DecodeSign1(cose);
        Assert.Equal(-7, message.ProtectedHeaders[System.Security.Cryptography.Cose.CoseHeaderLabel.Algorithm].GetValueAsInt32());
        Assert.Equal(world.Key.Kid, message.ProtectedHeaders[System.Security.Cryptography.Cose.CoseHeaderLabel.KeyIdentifier].GetValueAsBytes());
        Assert.Empty(message.UnprotectedHeaders);
        Assert.Equal(64, message.Signature.Length);
    }

    [Fact]
    public void The_kid_is_the_first_8_bytes_of_sha256_of_the_public_key()
    {
        using var world = new TokenWorld();
        var hash = System.Security.Cryptography.SHA256.HashData(world.Key.SubjectPublicKeyInfo);
        Assert.Equal(hash[..8], world.Key.Kid);
    }

    [Fact]
    public void A_typical_token_fits_qr_version_11_at_level_q()
    {
        using var world = new TokenWorld();
        var text = world.Static();

        Assert.True(text.Length <= CardToken.MaxQrTextLengthVersion11Q, $"{text.Length} characters");
        Assert.InRange(QrCodes.GetVersion(text), 1, 11);
    }

    [Theory]
    [InlineData("阿卜杜热合曼·买买提江·艾合买提·吐尔逊", "阿*逊")]
    [InlineData("Maximilian-Alexander", "M*r")]
    public void A_20_character_holder_name_is_shortened_so_the_qr_stays_within_version_11_at_level_q(string name, string expected)
    {
        Assert.Equal(20, name.Length);
        using var world = new TokenWorld();

        var staticText = world.Static(name: name);
        var dynamicText = world.Issuer.IssueDynamic(world.Key, TokenWorld.Card, 1, Tier.A, name, TokenWorld.CardExpiry);

        foreach (var text in new[] { staticText, dynamicText })
        {
            Assert.InRange(text.Length, 1, CardToken.MaxQrTextLengthVersion11Q);
            Assert.InRange(QrCodes.GetVersion(text), 1, 11);
            var check = world.Verify(text);
            Assert.Equal(TokenOutcome.Valid, check.Outcome);
            Assert.Equal(expected, check.Claims!.HolderDisplayName);
        }
    }

    [Fact]
    public void A_short_masked_name_is_kept_as_given()
    {
        using var world = new TokenWorld();
        Assert.Equal("李*", world.Verify(world.Static(name: "李*")).Claims!.HolderDisplayName);
        Assert.Equal("欧*明", world.Verify(world.Static(name: "欧阳*明")).Claims!.HolderDisplayName);
    }

    [Fact]
    public void The_issuer_predicts_the_qr_text_length_exactly()
    {
        using var world = new TokenWorld();
        foreach (var name in new[] { "张*明", "李*", "*", "AB" })
        {
            var text = world.Static(name: name);
            var payloadLength = Encoding.UTF8.GetByteCount(name) + 161 - 85;
            Assert.Equal(text.Length, CardTokenIssuer.QrTextLength(payloadLength));
        }
    }

    [Fact]
    public void The_issuer_refuses_bad_claims()
    {
        using var world = new TokenWorld();
        Assert.Throws<ArgumentException>(() => world.Issuer.IssueStatic(world.Key, "LC260002311", 1, Tier.A, "张*明", TokenWorld.CardExpiry));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.Issuer.IssueStatic(world.Key, TokenWorld.Card, 0, Tier.A, "张*明", TokenWorld.CardExpiry));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.Issuer.IssueStatic(world.Key, TokenWorld.Card, 1, (Tier)5, "张*明", TokenWorld.CardExpiry));
        Assert.Throws<ArgumentException>(() => world.Issuer.IssueStatic(world.Key, TokenWorld.Card, 1, Tier.A, " ", TokenWorld.CardExpiry));
        Assert.Throws<ArgumentException>(() => world.Issuer.IssueStatic(world.Key, TokenWorld.Card, 1, Tier.A, "张\n明", TokenWorld.CardExpiry));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.Issuer.IssueStatic(world.Key, TokenWorld.Card, 1, Tier.A, "张*明", TokenWorld.Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.Dynamic(TimeSpan.Zero));
    }

    [Fact]
    public void A_key_outside_its_window_refuses_to_sign()
    {
        using var world = new TokenWorld();
        using var future = SigningKey.Generate(TokenWorld.Start.AddDays(1));
        using var past = SigningKey.Generate(TokenWorld.Start.AddDays(-10), TokenWorld.Start.AddDays(-1));
        Assert.Throws<InvalidOperationException>(() => world.Issuer.IssueStatic(future, TokenWorld.Card, 1, Tier.A, "张*明", TokenWorld.CardExpiry));
        Assert.Throws<InvalidOperationException>(() => world.Issuer.IssueStatic(past, TokenWorld.Card, 1, Tier.A, "张*明", TokenWorld.CardExpiry));
    }

    [Fact]
    public void Low_level_issue_signs_claims_with_nbf_as_given()
    {
        using var world = new TokenWorld();
        var claims = world.Claims(notBefore: TokenWorld.Start.AddMinutes(5));

        var check = world.Verify(CardTokenIssuer.Issue(world.Key, claims));

        Assert.Equal(claims, check.Claims);
    }

    [Fact]
    public void Verification_from_many_threads_at_once_agrees()
    {
        using var world = new TokenWorld();
        var texts = Enumerable.Range(0, 8).Select(_ => world.Static()).ToArray();
        var outcomes = new TokenOutcome[4000];

        Parallel.For(0, outcomes.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            outcomes[i] = world.Verify(texts[i % texts.Length]).Outcome);

        Assert.All(outcomes, o => Assert.Equal(TokenOutcome.Valid, o));
    }

    [Fact]
    public void A_trailing_line_break_from_a_keyboard_scanner_is_ignored()
    {
        using var world = new TokenWorld();
        Assert.Equal(TokenOutcome.Valid, world.Verify(world.Static() + "\r\n").Outcome);
    }
}
