using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace Lingcheng.Talent.Cards.Tests;

/// <summary>
/// Keeps the worked example in docs/card-token.md true: the test reads the vectors from the
/// document itself and checks every one of them against the others.
/// </summary>
public sealed partial class DocExampleTests
{
    private static readonly DateTimeOffset ExampleIssuedAt = new(2026, 1, 5, 1, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ExampleKeyValidFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_worked_example_in_the_documentation_verifies()
    {
        var vectors = ReadVectors();
        var spki = Convert.FromHexString(vectors["public-key-spki"]);
        var trust = new TrustList(new TrustedKey(spki, ExampleKeyValidFrom));
        var verifier = new CardTokenVerifier(new FakeTimeProvider(ExampleIssuedAt));

        var check = verifier.Verify(vectors["qr-text"], trust);

        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(vectors["kid"], check.KidHex);
        var claims = check.Claims!;
        Assert.Equal(("LC260002310", 1, Tier.B, "张*明", TokenKind.Static), (claims.CardNumber, claims.CardVersion, claims.Tier, claims.HolderDisplayName, claims.Kind));
        Assert.Equal(ExampleIssuedAt, claims.IssuedAt);
        Assert.Equal(ExampleIssuedAt.AddYears(3), claims.ExpiresAt);
        Assert.Equal(vectors["claims-diagnostic"], Diagnostic(claims));
    }

    [Fact]
    public void The_hex_in_the_documentation_matches_the_qr_text_byte_for_byte()
    {
        var vectors = ReadVectors();
        var cose = Craft.Cose(vectors["qr-text"]);
        var message = CoseMessage.DecodeSign1(cose);

        Assert.Equal(vectors["cose-sign1"], Convert.ToHexStringLower(cose));
        Assert.Equal(vectors["claims-cbor"], Convert.ToHexStringLower(message.Content!.Value.Span));
        Assert.Equal(vectors["protected-header"], Convert.ToHexStringLower(message.RawProtectedHeaders.Span));
        Assert.Equal(vectors["signature"], Convert.ToHexStringLower(message.Signature.Span));
        Assert.Equal(vectors["sig-structure"], Convert.ToHexStringLower(SigStructure(message)));
        Assert.Equal(vectors["kid"], Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(vectors["public-key-spki"]))[..8]));
        Assert.Equal(int.Parse(vectors["qr-version"], CultureInfo.InvariantCulture), QrCodes.GetVersion(vectors["qr-text"]));

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Convert.FromHexString(vectors["public-key-spki"]), out _);
        Assert.True(ecdsa.VerifyData(SigStructure(message), message.Signature.Span, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void The_published_private_scalar_belongs_to_the_published_public_key()
    {
        var vectors = ReadVectors();
        using var fromScalar = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Convert.FromHexString(vectors["private-scalar"]),
        });

        Assert.Equal(vectors["public-key-spki"], Convert.ToHexStringLower(fromScalar.ExportSubjectPublicKeyInfo()));
        var q = fromScalar.ExportParameters(false).Q;
        Assert.Equal(vectors["public-key-x"], Convert.ToHexStringLower(q.X!));
        Assert.Equal(vectors["public-key-y"], Convert.ToHexStringLower(q.Y!));
    }

    /// <summary>
    /// Writes a fresh worked example (new key, new token) for docs/card-token.md into the temp
    /// folder. Run by hand after a build:
    /// <c>tests/Lingcheng.Talent.Cards.Tests/bin/Debug/net10.0/Lingcheng.Talent.Cards.Tests -method "*Writes_a_fresh_worked_example" -explicit only</c>.
    /// </summary>
    [Fact(Explicit = true)]
    public void Writes_a_fresh_worked_example()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = SigningKey.FromPkcs8Pem(ecdsa.ExportPkcs8PrivateKeyPem(), ExampleKeyValidFrom, null);
        var issuer = new CardTokenIssuer(new FakeTimeProvider(ExampleIssuedAt));
        var text = issuer.IssueStatic(key, "LC260002310", 1, Tier.B, "张*明", ExampleIssuedAt.AddYears(3));
        var cose = Craft.Cose(text);
        var message = CoseMessage.DecodeSign1(cose);
        var claims = new CardTokenVerifier(new FakeTimeProvider(ExampleIssuedAt)).Verify(text, new TrustList(key.ToTrustedKey())).Claims!;
        var parameters = ecdsa.ExportParameters(true);

        var markdown = new StringBuilder();
        void Vector(string name, string value) => markdown.Append("<!-- vector:").Append(name).Append(" -->\n```text\n").Append(value).Append("\n```\n\n");
        Vector("private-scalar", Convert.ToHexStringLower(parameters.D!));
        Vector("public-key-x", Convert.ToHexStringLower(parameters.Q.X!));
        Vector("public-key-y", Convert.ToHexStringLower(parameters.Q.Y!));
        Vector("public-key-spki", Convert.ToHexStringLower(key.SubjectPublicKeyInfo));
        Vector("kid", key.KidHex);
        Vector("claims-diagnostic", Diagnostic(claims));
        Vector("claims-cbor", Convert.ToHexStringLower(message.Content!.Value.Span));
        Vector("protected-header", Convert.ToHexStringLower(message.RawProtectedHeaders.Span));
        Vector("sig-structure", Convert.ToHexStringLower(SigStructure(message)));
        Vector("signature", Convert.ToHexStringLower(message.Signature.Span));
        Vector("cose-sign1", Convert.ToHexStringLower(cose));
        Vector("qr-text", text);
        Vector("qr-version", QrCodes.GetVersion(text).ToString(CultureInfo.InvariantCulture));

        var path = Path.Combine(Path.GetTempPath(), "card-token-example.md");
        File.WriteAllText(path, markdown.ToString());
        File.WriteAllText(Path.ChangeExtension(path, ".txt"), QrCodes.RenderTerminal(text, darkBackground: false));
        TestContext.Current.TestOutputHelper?.WriteLine("Wrote " + path);
    }

    /// <summary>CBOR diagnostic notation (RFC 8949 §8) of the claims map, in encoding order.</summary>
    private static string Diagnostic(CardTokenClaims claims) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""
        {
          1: "{{claims.Issuer}}",
          2: "{{claims.CardNumber}}",
          4: {{claims.ExpiresAt.ToUnixTimeSeconds()}},
          6: {{claims.IssuedAt.ToUnixTimeSeconds()}},
          7: h'{{claims.TokenIdHex}}',
          -70001: {{claims.CardVersion}},
          -70002: {{(int)claims.Tier}},
          -70003: "{{claims.HolderDisplayName}}",
          -70004: {{(int)claims.Kind}}
        }
        """);

    private static byte[] SigStructure(CoseSign1Message message)
    {
        var writer = new System.Formats.Cbor.CborWriter();
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(message.RawProtectedHeaders.Span);
        writer.WriteByteString([]);
        writer.WriteByteString(message.Content!.Value.Span);
        writer.WriteEndArray();
        return writer.Encode();
    }

    private static Dictionary<string, string> ReadVectors()
    {
        var doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "card-token.md")).ReplaceLineEndings("\n");
        var vectors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in VectorPattern().Matches(doc))
        {
            vectors.Add(match.Groups["name"].Value, match.Groups["value"].Value);
        }

        Assert.True(vectors.Count >= 12, $"found {vectors.Count} vectors in docs/card-token.md");
        return vectors;
    }

    [GeneratedRegex(@"<!-- vector:(?<name>[a-z0-9-]+) -->\n```text\n(?<value>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex VectorPattern();
}
