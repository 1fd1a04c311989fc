using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cards.Tests;

/// <summary>
/// Every token the registry can print must read back from its own PNG: many random tokens (random
/// signatures, token ids, names and card numbers) at the sizes the registry and the CLI render.
/// </summary>
public sealed class QrReadBackStressTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void Hundreds_of_random_tokens_read_back_from_their_png(int pixelsPerModule)
    {
        using var world = new TokenWorld();
        var names = new[] { "张*明", "欧**明", "王*", "司**华", "李*" };
        var failures = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var text = world.Issuer.IssueStatic(world.Key, CardNumber.Create(26, Random.Shared.Next(0, 999_999)), 1 + (i % 3),
                (Tier)(1 + (i % 4)), names[i % names.Length], TokenWorld.CardExpiry);
            if (QrImages.Read(QrCodes.RenderPng(text, pixelsPerModule)) != text)
            {
                failures.Add(text);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of 200 did not read back, e.g. {failures.FirstOrDefault()}");
    }
}
