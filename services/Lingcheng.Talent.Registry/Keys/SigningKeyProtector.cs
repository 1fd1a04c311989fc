using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Registry.Protection;
using Lingcheng.Talent.ServiceDefaults.Auth;

namespace Lingcheng.Talent.Registry.Keys;

/// <summary>
/// Wraps the card-signing private keys stored in the registry database under their own 32-byte
/// key-encryption key (KEK), separate from the personal-data master key: <c>Registry:SigningKeyKek</c>
/// (base64), else the file <c>Registry:SigningKeyKekFile</c>, else
/// <c>{DataDirectory}/keys/signing-key-kek.key</c> (generated when missing in local use only, like
/// the personal-data key). A wrapped key is AES-256-GCM with format byte 2, the kid bound as
/// associated data. Keys wrapped before this KEK existed (format byte 1, under a key derived from
/// the personal-data master key) are still read, and <see cref="KeyRing"/> re-wraps them under the
/// KEK at start.
/// </summary>
public sealed class SigningKeyProtector
{
    /// <summary>Format byte of a key wrapped under the KEK.</summary>
    public const byte KekFormat = 2;

    /// <summary>Format byte of a key wrapped under the personal-data master key (before the KEK).</summary>
    public const byte LegacyFormat = 1;

    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _kek;
    private readonly PersonalDataProtector? _legacy;

    public SigningKeyProtector(byte[] kek, PersonalDataProtector? legacy = null)
    {
        if (kek.Length != 32)
        {
            throw new ArgumentException("The signing-key KEK must be 32 bytes.", nameof(kek));
        }

        // The KEK itself is not used directly: a purpose-bound key is derived from it.
        _kek = HKDF.DeriveKey(HashAlgorithmName.SHA256, kek, 32, info: "lingcheng-registry/signing-key-kek/aes-gcm/v2"u8.ToArray());
        _legacy = legacy;
    }

    /// <summary>Encrypts a signing key's PEM for storage.</summary>
    public byte[] Wrap(string pem, string kid)
    {
        var plaintext = Encoding.UTF8.GetBytes(pem);
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = KekFormat;
        RandomNumberGenerator.Fill(output.AsSpan(1, NonceSize));
        using var aes = new AesGcm(_kek, TagSize);
        aes.Encrypt(output.AsSpan(1, NonceSize), plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Context(kid));
        CryptographicOperations.ZeroMemory(plaintext);
        return output;
    }

    /// <summary>Decrypts a stored signing key: under the KEK, or (format 1) under the personal-data master key.</summary>
    /// <exception cref="CryptographicException">Wrong key, tampered or unknown format.</exception>
    public string Unwrap(byte[] wrapped, string kid)
    {
        if (IsLegacy(wrapped))
        {
            return _legacy is not null
                ? _legacy.UnwrapSigningKey(wrapped, kid)
                : throw new CryptographicException("The signing key is wrapped under the personal-data key, which is not available here.");
        }

        if (wrapped.Length < 1 + NonceSize + TagSize || wrapped[0] != KekFormat)
        {
            throw new CryptographicException("Unknown wrapped-key format.");
        }

        var plaintext = new byte[wrapped.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_kek, TagSize);
        aes.Decrypt(wrapped.AsSpan(1, NonceSize), wrapped.AsSpan(1 + NonceSize + TagSize), wrapped.AsSpan(1 + NonceSize, TagSize), plaintext, Context(kid));
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>True for a key still wrapped under the personal-data master key.</summary>
    public static bool IsLegacy(byte[] wrapped) => wrapped.Length > 0 && wrapped[0] == LegacyFormat;

    private static byte[] Context(string kid) => Encoding.UTF8.GetBytes("signing-key/" + kid);

    /// <summary>
    /// Loads the KEK: <c>Registry:SigningKeyKek</c>, else the key file. The file is generated when
    /// missing only in local use (Development, or no OIDC authority configured); a production
    /// registry without one refuses to start.
    /// </summary>
    public static SigningKeyProtector Load(IConfiguration configuration, IHostEnvironment environment, RegistryOptions options, PersonalDataProtector legacy)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKeyKek))
        {
            return new SigningKeyProtector(Decode(options.SigningKeyKek, "Registry:SigningKeyKek"), legacy);
        }

        var file = options.SigningKeyKekFile ?? Path.Combine(AuthExtensions.DataDirectory(configuration), "keys", "signing-key-kek.key");
        if (!File.Exists(file))
        {
            var local = environment.IsDevelopment() || string.IsNullOrEmpty(configuration["Auth:Authority"]);
            if (!local)
            {
                throw new InvalidOperationException(
                    "No signing-key KEK: set Registry:SigningKeyKek (base64 of 32 bytes) or Registry:SigningKeyKekFile.");
            }
        }

        var text = KeyFiles.Read(file, create: true);
        return text.Length > 0
            ? new SigningKeyProtector(Decode(text, file), legacy)
            : throw new InvalidOperationException($"The signing-key KEK file '{file}' is empty.");
    }

    private static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            return key.Length == 32 ? key : throw new InvalidOperationException($"The signing-key KEK from {source} is not 32 bytes.");
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The signing-key KEK from {source} is not base64.");
        }
    }
}
