using System.Security.Cryptography;

namespace Lingcheng.Talent.Cards;

/// <summary>Key identifiers and the P-256 checks shared by signing and trusted keys.</summary>
internal static class KeyIds
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>kid = first 8 bytes of SHA-256 over the SubjectPublicKeyInfo DER.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(subjectPublicKeyInfo, hash);
        return hash[..CardToken.KidLength].ToArray();
    }

    public static string ToHex(ReadOnlySpan<byte> kid) => Convert.ToHexStringLower(kid);

    /// <summary>The kid packed into a number, so a trust list looks it up without allocating.</summary>
    public static ulong ToLookupKey(ReadOnlySpan<byte> kid) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(kid);

    public static bool IsP256(ECDsa key)
    {
        var curve = key.ExportParameters(false).Curve;
        return curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1");
    }

    public static bool IsWithin(long unixSeconds, DateTimeOffset validFrom, DateTimeOffset? validUntil) =>
        // Token times are whole seconds; compare at that resolution so a token signed in the
        // same second the key became valid is inside the window.
        unixSeconds >= validFrom.ToUnixTimeSeconds()
        && (validUntil is null || unixSeconds <= validUntil.Value.ToUnixTimeSeconds());
}
