using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using Microsoft.Extensions.Time.Testing;

namespace Lingcheng.Talent.Cards.Tests;

/// <summary>A signing key, its trust list, a fake clock and the services built on them.</summary>
internal sealed class TokenWorld : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset CardExpiry = Start.AddYears(3);
    public const string Card = "LC260002310";
    public const string Name = "张*明";

    public TokenWorld()
    {
        Clock = new FakeTimeProvider(Start);
        Key = SigningKey.Generate(Start.AddDays(-30));
        Trust = new TrustList(Key.ToTrustedKey());
        Issuer = new CardTokenIssuer(Clock);
        Verifier = new CardTokenVerifier(Clock);
    }

    public FakeTimeProvider Clock { get; }

    public SigningKey Key { get; }

    public TrustList Trust { get; set; }

    public CardTokenIssuer Issuer { get; }

    public CardTokenVerifier Verifier { get; }

    public string Static(int version = 1, string name = Name) =>
        Issuer.IssueStatic(Key, Card, version, Tier.B, name, CardExpiry);

    public string Dynamic(TimeSpan? lifetime = null) =>
        Issuer.IssueDynamic(Key, Card, 1, Tier.B, Name, CardExpiry, lifetime);

    public TokenCheck Verify(string? qrText) => Verifier.Verify(qrText, Trust);

    public CardTokenClaims Claims(TokenKind kind = TokenKind.Static, DateTimeOffset? notBefore = null) =>
        new(CardToken.Issuer, Card, CardExpiry, notBefore, Clock.GetUtcNow(), RandomNumberGenerator.GetBytes(8), 1, Tier.A, Name, kind);

    public void Dispose() => Key.Dispose();
}

/// <summary>Builds tokens by hand, for inputs the issuer refuses to make.</summary>
internal static class Craft
{
    public static byte[] Cose(string qrText)
    {
        Assert.StartsWith(CardToken.Prefix, qrText, StringComparison.Ordinal);
        Assert.True(Base45.TryDecode(qrText.AsSpan(CardToken.Prefix.Length), out var cose));
        return cose;
    }

    public static string Text(ReadOnlySpan<byte> cose) => CardToken.Prefix + Base45.Encode(cose);

    /// <summary>A COSE_Sign1 over any payload, ES256 unless another hash is given, with these protected headers.</summary>
    public static string Signed(
        ECDsa key,
        byte[] payload,
        byte[]? kid,
        HashAlgorithmName? hash = null,
        Action<CoseHeaderMap>? moreProtected = null,
        CoseHeaderMap? unprotectedHeaders = null)
    {
        var headers = new CoseHeaderMap();
        if (kid is not null)
        {
            headers.Add(CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(kid));
        }

        moreProtected?.Invoke(headers);
        var signer = new CoseSigner(key, hash ?? HashAlgorithmName.SHA256, headers, unprotectedHeaders);
        return Text(CoseSign1Message.SignEmbedded(payload, signer));
    }

    /// <summary>A claims map written key by key; values are written by the callbacks.</summary>
    public static byte[] ClaimsMap(params (int Key, Action<CborWriter> Write)[] claims)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(claims.Length);
        foreach (var (key, write) in claims)
        {
            writer.WriteInt32(key);
            write(writer);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>The claims of a good token, as (key, writer) pairs, for tests to alter one.</summary>
    public static List<(int Key, Action<CborWriter> Write)> GoodClaims(DateTimeOffset now) =>
    [
        (CardToken.ClaimKeys.Issuer, w => w.WriteTextString(CardToken.Issuer)),
        (CardToken.ClaimKeys.Subject, w => w.WriteTextString(TokenWorld.Card)),
        (CardToken.ClaimKeys.ExpiresAt, w => w.WriteInt64(TokenWorld.CardExpiry.ToUnixTimeSeconds())),
        (CardToken.ClaimKeys.IssuedAt, w => w.WriteInt64(now.ToUnixTimeSeconds())),
        (CardToken.ClaimKeys.TokenId, w => w.WriteByteString(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })),
        (CardToken.ClaimKeys.CardVersion, w => w.WriteInt32(1)),
        (CardToken.ClaimKeys.Tier, w => w.WriteInt32(2)),
        (CardToken.ClaimKeys.HolderDisplayName, w => w.WriteTextString(TokenWorld.Name)),
        (CardToken.ClaimKeys.Kind, w => w.WriteInt32(1)),
    ];

    public static ECDsa PrivateKey(SigningKey key)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.ExportPkcs8Pem());
        return ecdsa;
    }
}

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class Repo
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Lingcheng.Talent.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
