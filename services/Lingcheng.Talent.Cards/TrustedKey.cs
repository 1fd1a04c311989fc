using System.Security.Cryptography;

namespace Lingcheng.Talent.Cards;

/// <summary>Status of a key in the trust list.</summary>
public enum TrustedKeyStatus
{
    /// <summary>Signs new tokens now.</summary>
    Active = 1,

    /// <summary>No longer signs; tokens it signed inside its window still verify.</summary>
    Retired = 2,

    /// <summary>Compromised or withdrawn: nothing it signed is accepted.</summary>
    Revoked = 3,
}

/// <summary>
/// A public key a verifier trusts: SubjectPublicKeyInfo, kid, validity window and status. The
/// kid is derived from the key, never taken on trust. The ECDsa public key is imported once and
/// cached because importing costs about as much as a verification.
/// </summary>
public sealed record TrustedKey
{
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly byte[] _kid;
    private readonly ECDsa _publicKey;

    /// <summary>Creates a trust-list entry from a P-256 public key in SubjectPublicKeyInfo DER.</summary>
    /// <exception cref="ArgumentException">The bytes are not a P-256 public key, or the window is inverted.</exception>
    public TrustedKey(
        ReadOnlySpan<byte> subjectPublicKeyInfo,
        DateTimeOffset validFrom,
        DateTimeOffset? validUntil = null,
        TrustedKeyStatus status = TrustedKeyStatus.Active)
    {
        if (validUntil < validFrom)
        {
            throw new ArgumentException("A key cannot be valid until before it is valid from.", nameof(validUntil));
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read != subjectPublicKeyInfo.Length)
            {
                throw new ArgumentException("Trailing bytes after the SubjectPublicKeyInfo.", nameof(subjectPublicKeyInfo));
            }
        }
        catch (CryptographicException ex)
        {
            ecdsa.Dispose();
            throw new ArgumentException("Not an EC SubjectPublicKeyInfo.", nameof(subjectPublicKeyInfo), ex);
        }

        if (!KeyIds.IsP256(ecdsa))
        {
            ecdsa.Dispose();
            throw new ArgumentException("Card tokens are verified with P-256 keys only.", nameof(subjectPublicKeyInfo));
        }

        _publicKey = ecdsa;
        _subjectPublicKeyInfo = subjectPublicKeyInfo.ToArray();
        _kid = KeyIds.Compute(_subjectPublicKeyInfo);
        Kid = KeyIds.ToHex(_kid);
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        Status = status;
    }

    /// <summary>The key identifier in lower-case hex (16 characters).</summary>
    public string Kid { get; }

    /// <summary>The key identifier bytes.</summary>
    public ReadOnlyMemory<byte> KidBytes => _kid;

    /// <summary>The public key, SubjectPublicKeyInfo DER.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Start of the window in which the key signed tokens (compared with a token's iat).</summary>
    public DateTimeOffset ValidFrom { get; init; }

    /// <summary>End of that window (null: open).</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Active, retired or revoked.</summary>
    public TrustedKeyStatus Status { get; init; }

    /// <summary>
    /// For a retired key, the latest expiry among the tokens it actually signed (null: no bound).
    /// A token under this key that expires later was not signed by the registry, and from this time
    /// on nothing the key signed is accepted: a leaked retired key mints nothing that verifies.
    /// </summary>
    public DateTimeOffset? TrustedUntil { get; init; }

    /// <summary>
    /// The cached public key. ECDsa verification does not mutate the key, and the OpenSSL key
    /// handle behind it may be shared by threads that only verify, so one instance serves all.
    /// </summary>
    internal ECDsa PublicKey => _publicKey;

    /// <summary>Creates an entry from a <c>PUBLIC KEY</c> PEM.</summary>
    public static TrustedKey FromPublicKeyPem(
        string pem,
        DateTimeOffset validFrom,
        DateTimeOffset? validUntil = null,
        TrustedKeyStatus status = TrustedKeyStatus.Active)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException("Not an EC public key PEM.", nameof(pem), ex);
        }

        return new TrustedKey(ecdsa.ExportSubjectPublicKeyInfo(), validFrom, validUntil, status);
    }

    /// <summary>The public key as a <c>PUBLIC KEY</c> PEM.</summary>
    public string ExportPublicKeyPem() => PemEncoding.WriteString("PUBLIC KEY", _subjectPublicKeyInfo);

    /// <summary>
    /// True when a token issued at <paramref name="issuedAtUnixSeconds"/> may be accepted under
    /// this key: not revoked, and iat inside [ValidFrom, ValidUntil] at second resolution.
    /// </summary>
    public bool AcceptsIssuedAt(long issuedAtUnixSeconds) =>
        Status != TrustedKeyStatus.Revoked && KeyIds.IsWithin(issuedAtUnixSeconds, ValidFrom, ValidUntil);

    /// <summary>
    /// True when a token of this key that expires at <paramref name="expiresAtUnixSeconds"/> may be
    /// accepted at <paramref name="nowUnixSeconds"/>: no <see cref="TrustedUntil"/>, or the token expires
    /// no later than it and it has not passed (second resolution).
    /// </summary>
    public bool TrustsUntil(long expiresAtUnixSeconds, long nowUnixSeconds) =>
        TrustedUntil is not { } until
        || (expiresAtUnixSeconds <= until.ToUnixTimeSeconds() && nowUnixSeconds < until.ToUnixTimeSeconds());

    /// <summary>Value equality over the key bytes, window and status (not the cached ECDsa object).</summary>
    public bool Equals(TrustedKey? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_subjectPublicKeyInfo.AsSpan().SequenceEqual(other._subjectPublicKeyInfo)
                && ValidFrom == other.ValidFrom
                && ValidUntil == other.ValidUntil
                && TrustedUntil == other.TrustedUntil
                && Status == other.Status));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kid, ValidFrom, ValidUntil, Status);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Kid = ").Append(Kid)
            .Append(", ValidFrom = ").Append(ValidFrom.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", ValidUntil = ").Append(ValidUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", TrustedUntil = ").Append(TrustedUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Status = ").Append(Status);
        return true;
    }
}
