using System.Security.Cryptography;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// An ES256 (ECDSA P-256) private key that signs card tokens and revocation snapshots, with the
/// window in which it may sign. The registry keeps these; nothing else should hold one.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly byte[] _kid;
    private bool _disposed;

    private SigningKey(ECDsa ecdsa, DateTimeOffset validFrom, DateTimeOffset? validUntil)
    {
        if (validUntil < validFrom)
        {
            throw new ArgumentException("A key cannot be valid until before it is valid from.", nameof(validUntil));
        }

        _ecdsa = ecdsa;
        _subjectPublicKeyInfo = ecdsa.ExportSubjectPublicKeyInfo();
        _kid = KeyIds.Compute(_subjectPublicKeyInfo);
        KidHex = KeyIds.ToHex(_kid);
        ValidFrom = validFrom;
        ValidUntil = validUntil;
    }

    /// <summary>When the key starts signing.</summary>
    public DateTimeOffset ValidFrom { get; }

    /// <summary>When the key stops signing (null: until rotated).</summary>
    public DateTimeOffset? ValidUntil { get; }

    /// <summary>The 8-byte key identifier (a copy).</summary>
    public byte[] Kid => (byte[])_kid.Clone();

    /// <summary>The key identifier in lower-case hex.</summary>
    public string KidHex { get; }

    /// <summary>The public key as SubjectPublicKeyInfo DER (a copy).</summary>
    public byte[] SubjectPublicKeyInfo => (byte[])_subjectPublicKeyInfo.Clone();

    internal ReadOnlySpan<byte> KidSpan => _kid;

    internal ECDsa Ecdsa
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _ecdsa;
        }
    }

    /// <summary>Generates a new P-256 key.</summary>
    public static SigningKey Generate(DateTimeOffset validFrom, DateTimeOffset? validUntil = null) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), validFrom, validUntil);

    /// <summary>Loads a P-256 private key from PEM (PKCS#8 <c>PRIVATE KEY</c> or SEC 1 <c>EC PRIVATE KEY</c>).</summary>
    /// <exception cref="ArgumentException">The PEM holds no private key, an encrypted key, or a key that is not P-256.</exception>
    public static SigningKey FromPkcs8Pem(string pem, DateTimeOffset validFrom, DateTimeOffset? validUntil)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            try
            {
                ecdsa.ImportFromPem(pem);
                // Throws when the PEM held only a public key.
                _ = ecdsa.ExportParameters(includePrivateParameters: true);
            }
            catch (CryptographicException ex)
            {
                throw new ArgumentException("The PEM does not hold an unencrypted EC private key.", nameof(pem), ex);
            }

            if (!KeyIds.IsP256(ecdsa))
            {
                throw new ArgumentException("Card tokens are signed with P-256 keys only.", nameof(pem));
            }

            return new SigningKey(ecdsa, validFrom, validUntil);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>Exports the private key as PKCS#8 PEM, for the registry's key store. Never log it.</summary>
    public string ExportPkcs8Pem() => Ecdsa.ExportPkcs8PrivateKeyPem();

    /// <summary>True when the key may sign at <paramref name="time"/> (second resolution).</summary>
    public bool IsValidAt(DateTimeOffset time) => KeyIds.IsWithin(time.ToUnixTimeSeconds(), ValidFrom, ValidUntil);

    /// <summary>
    /// The trust-list entry for this key: its public key and window. Pass
    /// <paramref name="validUntil"/> to retire it at that time.
    /// </summary>
    public TrustedKey ToTrustedKey(TrustedKeyStatus status = TrustedKeyStatus.Active, DateTimeOffset? validUntil = null) =>
        new(_subjectPublicKeyInfo, ValidFrom, validUntil ?? ValidUntil, status);

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _ecdsa.Dispose();
    }
}
