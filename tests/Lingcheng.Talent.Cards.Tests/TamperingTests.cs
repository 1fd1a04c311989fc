namespace Lingcheng.Talent.Cards.Tests;

public sealed class TamperingTests
{
    [Fact]
    public void Tampering_with_any_single_byte_never_yields_valid()
    {
        using var world = new TokenWorld();
        var original = Craft.Cose(world.Static());
        Assert.Equal(TokenOutcome.Valid, world.Verify(Craft.Text(original)).Outcome);

        // Every position, every other value: about 43 000 verifications.
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<TokenOutcome, int>();
        Parallel.For(0, original.Length, position =>
        {
            var bytes = (byte[])original.Clone();
            for (var value = 0; value < 256; value++)
            {
                if (value == original[position])
                {
                    continue;
                }

                bytes[position] = (byte)value;
                var check = world.Verify(Craft.Text(bytes));
                outcomes.AddOrUpdate(check.Outcome, 1, (_, n) => n + 1);
                if (check.Outcome == TokenOutcome.Valid || check.SignatureVerified)
                {
                    failures.Add($"byte {position} = 0x{value:X2}: {check.Outcome}");
                }
            }
        });

        Assert.Empty(failures);

        // Changes land in every part of the message: structure, header, claims and signature.
        Assert.True(outcomes.GetValueOrDefault(TokenOutcome.Malformed) > 0);
        Assert.True(outcomes.GetValueOrDefault(TokenOutcome.SignatureInvalid) > 0);
        Assert.True(outcomes.GetValueOrDefault(TokenOutcome.UnknownKey) > 0);
    }

    [Fact]
    public void Tampering_with_any_character_of_the_qr_text_never_yields_valid()
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        using var world = new TokenWorld();
        var text = world.Dynamic();

        Parallel.For(0, text.Length, position =>
        {
            foreach (var c in alphabet)
            {
                if (c == text[position])
                {
                    continue;
                }

                var tampered = string.Concat(text.AsSpan(0, position), [c], text.AsSpan(position + 1));
                Assert.NotEqual(TokenOutcome.Valid, world.Verify(tampered).Outcome);
            }
        });
    }
}
