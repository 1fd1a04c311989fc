using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace Lingcheng.Talent.Cards;

/// <summary>Outcome of checking a signed revocation snapshot.</summary>
public enum SnapshotOutcome
{
    /// <summary>Signed by a trusted key inside its window; the snapshot is returned.</summary>
    Valid = 0,

    /// <summary>Not a snapshot: bad COSE, wrong content type, bad CBOR map or entries.</summary>
    Malformed = 1,

    /// <summary>An algorithm other than ES256.</summary>
    UnsupportedVersion = 2,

    /// <summary>Kid not trusted, key revoked, or issued outside the key's window.</summary>
    UnknownKey = 3,

    /// <summary>The signature does not verify.</summary>
    SignatureInvalid = 4,
}

/// <summary>
/// The signed form of a <see cref="RevocationSnapshot"/>: a tagged COSE_Sign1 (ES256, kid and
/// content type <see cref="ContentType"/> in the protected header) over a CBOR map:
/// <c>{1: issuer, 2: sequence, 3: issued_at, ? 4: from_sequence, 5: [[card_number, status, min_valid_version], …]}</c>,
/// status 1 revoked, 2 suspended, 3 cleared. See docs/card-token.md.
/// </summary>
public static class RevocationSnapshotCodec
{
    /// <summary>
    /// Content type in the protected header. Card tokens carry none, so neither kind of signed
    /// object can be passed off as the other even though one key signs both.
    /// </summary>
    public const string ContentType = "application/vnd.lingcheng.revocation-snapshot+cbor";

    private const int KeyIssuer = 1;
    private const int KeySequence = 2;
    private const int KeyIssuedAt = 3;
    private const int KeyFromSequence = 4;
    private const int KeyEntries = 5;

    /// <summary>Signs a snapshot.</summary>
    /// <exception cref="InvalidOperationException">The key may not sign at the snapshot's time.</exception>
    public static byte[] Sign(SigningKey key, RevocationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!key.IsValidAt(snapshot.IssuedAt))
        {
            throw new InvalidOperationException($"Signing key {key.KidHex} may not sign at {snapshot.IssuedAt:O}.");
        }

        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteStartMap(snapshot.FromSequence is null ? 4 : 5);
        writer.WriteInt32(KeyIssuer);
        writer.WriteTextString(snapshot.Issuer);
        writer.WriteInt32(KeySequence);
        writer.WriteInt64(snapshot.Sequence);
        writer.WriteInt32(KeyIssuedAt);
        writer.WriteInt64(snapshot.IssuedAt.ToUnixTimeSeconds());
        if (snapshot.FromSequence is { } from)
        {
            writer.WriteInt32(KeyFromSequence);
            writer.WriteInt64(from);
        }

        writer.WriteInt32(KeyEntries);
        writer.WriteStartArray(snapshot.Entries.Count);
        foreach (var entry in snapshot.Entries)
        {
            writer.WriteStartArray(3);
            writer.WriteTextString(entry.CardNumber);
            writer.WriteInt32((int)entry.Status);
            writer.WriteInt32(entry.MinValidVersion);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndMap();
        return CardTokenIssuer.Sign(key, writer.Encode(), ContentType);
    }

    /// <summary>Verifies a signed snapshot. Never throws because of <paramref name="cose"/>.</summary>
    public static SnapshotOutcome TryVerify(byte[]? cose, TrustList trustList, out RevocationSnapshot? snapshot) =>
        TryVerify(cose.AsSpan(), trustList, out snapshot);

    /// <summary>Verifies a signed snapshot. Never throws because of <paramref name="cose"/>.</summary>
    public static SnapshotOutcome TryVerify(ReadOnlySpan<byte> cose, TrustList trustList, out RevocationSnapshot? snapshot)
    {
        ArgumentNullException.ThrowIfNull(trustList);
        snapshot = null;
        try
        {
            return TryVerifyCore(cose, trustList, out snapshot);
        }
        catch (Exception ex) when (ex is CborContentException or CryptographicException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // Parsers report bad input by throwing, and RevocationSnapshot's constructor rejects
            // bad entries with ArgumentException: all of it is a malformed snapshot.
            snapshot = null;
            return SnapshotOutcome.Malformed;
        }
    }

    private static SnapshotOutcome TryVerifyCore(ReadOnlySpan<byte> cose, TrustList trustList, out RevocationSnapshot? snapshot)
    {
        snapshot = null;
        if (cose.IsEmpty || cose[0] != 0xD2)
        {
            return SnapshotOutcome.Malformed;
        }

        var message = CoseMessage.DecodeSign1(cose);
        var headers = message.ProtectedHeaders;
        if (!headers.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
        {
            return SnapshotOutcome.Malformed;
        }

        if (alg.EncodedValue.Span is not [0x26])
        {
            return SnapshotOutcome.UnsupportedVersion;
        }

        if (!headers.TryGetValue(CoseHeaderLabel.ContentType, out var contentType)
            || contentType.GetValueAsString() != ContentType
            || !headers.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kidValue)
            || message.Content is not { } content)
        {
            return SnapshotOutcome.Malformed;
        }

        var kid = kidValue.GetValueAsBytes();
        var decoded = Decode(content);
        if (decoded is null)
        {
            return SnapshotOutcome.Malformed;
        }

        if (!trustList.TryGetKey(kid, out var key) || key.Status == TrustedKeyStatus.Revoked)
        {
            return SnapshotOutcome.UnknownKey;
        }

        if (!message.VerifyEmbedded(key.PublicKey, ReadOnlySpan<byte>.Empty))
        {
            return SnapshotOutcome.SignatureInvalid;
        }

        if (!key.AcceptsIssuedAt(decoded.IssuedAt.ToUnixTimeSeconds()))
        {
            return SnapshotOutcome.UnknownKey;
        }

        snapshot = decoded;
        return SnapshotOutcome.Valid;
    }

    private static RevocationSnapshot? Decode(ReadOnlyMemory<byte> payload)
    {
        var reader = new CborReader(payload, CborConformanceMode.Strict);
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            return null;
        }

        reader.ReadStartMap();
        string? issuer = null;
        long? sequence = null, issuedAt = null, fromSequence = null;
        List<RevocationEntry>? entries = null;
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            if (reader.PeekState() != CborReaderState.UnsignedInteger)
            {
                reader.SkipValue();
                reader.SkipValue();
                continue;
            }

            switch (reader.ReadInt64())
            {
                case KeyIssuer:
                    issuer = reader.ReadTextString();
                    break;
                case KeySequence:
                    sequence = reader.ReadInt64();
                    break;
                case KeyIssuedAt:
                    issuedAt = reader.ReadInt64();
                    break;
                case KeyFromSequence:
                    fromSequence = reader.ReadInt64();
                    break;
                case KeyEntries:
                    entries = ReadEntries(reader);
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0 || issuer is null || sequence is null || issuedAt is null || entries is null
            || issuedAt is < -62_135_596_800 or > 253_402_300_799)
        {
            return null;
        }

        return new RevocationSnapshot(issuer, sequence.Value, DateTimeOffset.FromUnixTimeSeconds(issuedAt.Value), fromSequence, entries);
    }

    private static List<RevocationEntry> ReadEntries(CborReader reader)
    {
        var count = reader.ReadStartArray();
        var entries = new List<RevocationEntry>(Math.Min(count ?? 16, 1 << 16));
        while (reader.PeekState() != CborReaderState.EndArray)
        {
            if (reader.ReadStartArray() != 3)
            {
                throw new FormatException("A snapshot entry has three items.");
            }

            var cardNumber = reader.ReadTextString();
            var status = (RevocationStatus)reader.ReadInt32();
            var minValidVersion = reader.ReadInt32();
            reader.ReadEndArray();
            entries.Add(new RevocationEntry(cardNumber, status, minValidVersion));
        }

        reader.ReadEndArray();
        return entries;
    }
}
