using System.Diagnostics;

namespace Lingcheng.Talent.Cards.Tests;

public sealed class FuzzTests
{
    private const string Base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    [Fact]
    public void A_hundred_thousand_random_truncated_and_mutated_texts_always_get_an_outcome()
    {
        using var world = new TokenWorld();
        var seeds = new[] { world.Static(), world.Dynamic(), world.Static(version: 7, name: "欧阳*明") };
        const int count = 100_000;
        var tally = new int[Enum.GetValues<TokenOutcome>().Length];
        var stopwatch = Stopwatch.StartNew();

        Parallel.For(0, 4, part =>
        {
            var random = new Random(9285 + part);
            var local = new int[tally.Length];
            for (var i = part; i < count; i += 4)
            {
                var text = Make(random, seeds, i % 10);
                var seed = Array.IndexOf(seeds, text);
                var check = world.Verify(text);
                Assert.True(Enum.IsDefined(check.Outcome));
                if (seed < 0)
                {
                    Assert.NotEqual(TokenOutcome.Valid, check.Outcome);
                    Assert.False(check.SignatureVerified);
                }

                local[(int)check.Outcome]++;
            }

            lock (tally)
            {
                for (var o = 0; o < tally.Length; o++)
                {
                    tally[o] += local[o];
                }
            }
        });

        Assert.Equal(count, tally.Sum());
        Assert.True(tally[(int)TokenOutcome.Malformed] > 0);
        Assert.True(tally[(int)TokenOutcome.SignatureInvalid] > 0);
        Assert.True(tally[(int)TokenOutcome.UnsupportedVersion] > 0);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"took {stopwatch.Elapsed}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"fuzz: {count} texts in {stopwatch.Elapsed.TotalSeconds:N1} s: "
            + string.Join(", ", Enum.GetValues<TokenOutcome>().Select(o => $"{o}={tally[(int)o]}")));
    }

    private static string Make(Random random, string[] seeds, int kind)
    {
        var seed = seeds[random.Next(seeds.Length)];
        switch (kind)
        {
            case 0:
                // Random Base45 after the right prefix.
                return CardToken.Prefix + RandomText(random, Base45Alphabet, random.Next(0, 400));
            case 1:
                // Random printable and non-ASCII text, any case.
                return RandomText(random, "abcxyzLCT1:2 陵城\u0000\uFFFD\uD800é%$" + Base45Alphabet, random.Next(0, 300));
            case 2:
                // Random bytes as a well-formed Base45 body: reaches the CBOR and COSE readers.
                var bytes = new byte[random.Next(0, 260)];
                random.NextBytes(bytes);
                if (bytes.Length > 0 && random.Next(2) == 0)
                {
                    bytes[0] = 0xD2;
                }

                return CardToken.Prefix + Base45.Encode(bytes);
            case 3:
            case 4:
                // Truncated token.
                return seed[..random.Next(0, seed.Length)];
            case 5:
                // A different prefix version, or a token with characters appended.
                return random.Next(2) == 0
                    ? "LCT" + random.Next(0, 100) + ":" + seed[CardToken.Prefix.Length..]
                    : seed + RandomText(random, Base45Alphabet, random.Next(1, 4));
            default:
                // One to three characters changed, or one to three bytes of the COSE changed.
                if (random.Next(2) == 0)
                {
                    var chars = seed.ToCharArray();
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        chars[random.Next(CardToken.Prefix.Length, chars.Length)] = Base45Alphabet[random.Next(Base45Alphabet.Length)];
                    }

                    return new string(chars);
                }

                var cose = Craft.Cose(seed);
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    cose[random.Next(cose.Length)] = (byte)random.Next(256);
                }

                return Craft.Text(cose);
        }
    }

    private static string RandomText(Random random, string alphabet, int length) =>
        string.Create(length, (random, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.random.Next(state.alphabet.Length)];
            }
        });
}
