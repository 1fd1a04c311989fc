using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// A service's signed statement that its audit chain <see cref="Chain"/> had reached record <see cref="Sequence"/>
/// with hash <see cref="Hash"/> at <see cref="SignedAt"/> (issue 25, item 6). The database cannot forge one: the key
/// is a file beside the other keys (<see cref="AuditCheckpointKey"/>), so a table cut short or re-hashed after a
/// checkpoint no longer matches it.
/// </summary>
public sealed record AuditCheckpoint(
    [property: JsonPropertyName("chain")] string Chain,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("signedAt")] DateTimeOffset SignedAt,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("signature")] byte[] Signature)
{
    /// <summary>What is signed: the version, chain, sequence, hash and time, one per line (the proto's AuditCheckpoint says the same).</summary>
    public static byte[] Payload(string chain, long sequence, string hash, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"lingcheng-talent-audit-checkpoint/v1\n{chain}\n{sequence}\n{hash}\n{signedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}"));

    /// <summary>This checkpoint's signed bytes.</summary>
    public byte[] Payload() => Payload(Chain, Sequence, Hash, SignedAt);

    /// <summary>The checkpoint as the API exports it, with the public key that verifies it.</summary>
    public V1.AuditCheckpoint ToProto(byte[] publicKey) => new()
    {
        Chain = Chain,
        Sequence = Sequence,
        Hash = Hash,
        SignedAt = Timestamp.FromDateTimeOffset(SignedAt),
        KeyId = KeyId,
        Signature = ByteString.CopyFrom(Signature),
        PublicKey = ByteString.CopyFrom(publicKey),
    };
}
