using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Protection;

/// <summary>
/// Protects personal data at rest (SPEC §3.1, PIPL). One 32-byte master key — from
/// <c>Registry:PersonalDataKey</c> (base64), a key file, or in local/development use generated on
/// first start into <c>{DataDirectory}/keys/personal-data.key</c> — yields three independent
/// keys through HKDF-SHA256: one encrypts document and phone numbers (AES-256-GCM), one keys the
/// blind index (HMAC-SHA256), and one only reads signing keys wrapped before they got their own
/// key-encryption key (<see cref="Keys.SigningKeyProtector"/>); nothing new is wrapped with it.
/// </summary>
public sealed class PersonalDataProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _encryptionKey;
    private readonly byte[] _blindIndexKey;
    private readonly byte[] _keyWrapKey;

    public PersonalDataProtector(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("The personal-data master key must be 32 bytes.", nameof(masterKey));
        }

        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "lingcheng-registry/personal-data/aes-gcm/v1"u8.ToArray());
        _blindIndexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "lingcheng-registry/blind-index/hmac-sha256/v1"u8.ToArray());
        _keyWrapKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "lingcheng-registry/signing-key-wrap/aes-gcm/v1"u8.ToArray());
    }

    /// <summary>Encrypts a personal value; <paramref name="context"/> (talent id and field) is bound as associated data.</summary>
    public byte[] Encrypt(string value, string context) => Seal(_encryptionKey, Encoding.UTF8.GetBytes(value), context);

    public string Decrypt(byte[] sealedValue, string context) => Encoding.UTF8.GetString(Open(_encryptionKey, sealedValue, context));

    /// <summary>Encrypts a signing key's PEM the way it was stored before the signing-key KEK (kept for tests of the upgrade).</summary>
    internal byte[] WrapSigningKeyLegacy(string pem, string kid) => Seal(_keyWrapKey, Encoding.UTF8.GetBytes(pem), "signing-key/" + kid);

    /// <summary>Decrypts a signing key stored before the signing-key KEK existed (it is re-wrapped at start).</summary>
    public string UnwrapSigningKey(byte[] wrapped, string kid) => Encoding.UTF8.GetString(Open(_keyWrapKey, wrapped, "signing-key/" + kid));

    /// <summary>The keyed blind index of a value: equal inputs give equal indexes, nothing else is revealed.</summary>
    public byte[] BlindIndex(string purpose, string value) =>
        HMACSHA256.HashData(_blindIndexKey, Encoding.UTF8.GetBytes(purpose + "\u001f" + value));

    private static byte[] Seal(byte[] key, byte[] plaintext, string context)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return output;
    }

    private static byte[] Open(byte[] key, byte[] sealedValue, string context)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != FormatVersion)
        {
            throw new CryptographicException("Unknown protected-value format.");
        }

        var plaintext = new byte[sealedValue.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedValue.AsSpan(1, NonceSize), sealedValue.AsSpan(1 + NonceSize + TagSize), sealedValue.AsSpan(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(context));
        return plaintext;
    }

    /// <summary>
    /// Loads the master key: <c>Registry:PersonalDataKey</c>, else the key file. The file is
    /// generated when missing only in local use (Development environment, or no OIDC authority
    /// configured — the same mode in which the services mint development tokens); a production
    /// registry without a key refuses to start rather than silently making data unreadable.
    /// </summary>
    public static PersonalDataProtector Load(IConfiguration configuration, IHostEnvironment environment, RegistryOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PersonalDataKey))
        {
            return new PersonalDataProtector(Decode(options.PersonalDataKey, "Registry:PersonalDataKey"));
        }

        var file = options.PersonalDataKeyFile ?? Path.Combine(AuthExtensions.DataDirectory(configuration), "keys", "personal-data.key");
        if (!File.Exists(file))
        {
            var local = environment.IsDevelopment() || string.IsNullOrEmpty(configuration["Auth:Authority"]);
            if (!local)
            {
                throw new InvalidOperationException(
                    "No personal-data key: set Registry:PersonalDataKey (base64 of 32 bytes) or Registry:PersonalDataKeyFile.");
            }
        }

        var text = KeyFiles.Read(file, create: true);
        return text.Length > 0
            ? new PersonalDataProtector(Decode(text, file))
            : throw new InvalidOperationException($"The personal-data key file '{file}' is empty.");
    }

    private static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            return key.Length == 32 ? key : throw new InvalidOperationException($"The personal-data key from {source} is not 32 bytes.");
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The personal-data key from {source} is not base64.");
        }
    }
}
