using System.Security.Cryptography;
using Lingcheng.Talent.Auth;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// The key that signs audit checkpoints: ECDSA P-256, its private half a PEM file owner-only (0600) in the keys
/// folder (<c>Audit:CheckpointKeyFile</c>, default <c>{DataDirectory}/keys/audit-checkpoint.key</c>), created on first
/// start. A signature rather than an HMAC: an auditor verifies exported checkpoints with the public key alone
/// (also written beside it, <c>.pub</c>), and holding it lets nobody forge one; with an HMAC whoever could check a
/// checkpoint could also make one. Nothing in the database can change it.
/// </summary>
public sealed class AuditCheckpointKey : IDisposable
{
    private readonly ECDsa _key;

    private AuditCheckpointKey(ECDsa key)
    {
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(PublicKey))[..16];
    }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The first 16 hex digits of the SHA-256 of <see cref="PublicKey"/>.</summary>
    public string KeyId { get; }

    /// <summary>Reads the key file, creating it (race-free between processes, <see cref="KeyFiles"/>) when missing.</summary>
    public static AuditCheckpointKey FromFile(string path)
    {
        var pem = KeyFiles.Read(path, create: true, NewKeyPem, text => text.Contains("-----END PRIVATE KEY-----", StringComparison.Ordinal));
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException ex)
        {
            key.Dispose();
            throw new InvalidOperationException($"The audit checkpoint key '{path}' is not a PEM private key.", ex);
        }

        var checkpointKey = new AuditCheckpointKey(key);
        var publicFile = Path.ChangeExtension(path, ".pub");
        if (!File.Exists(publicFile))
        {
            try
            {
                File.WriteAllText(publicFile, PemEncoding.WriteString("PUBLIC KEY", checkpointKey.PublicKey) + "\n");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A convenience copy for auditors; the API exports the public key too.
            }
        }

        return checkpointKey;
    }

    public AuditCheckpoint Sign(string chain, long sequence, string hash, DateTimeOffset now)
    {
        // Milliseconds: the time is signed as text and must read back the same from the file and the API.
        var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var signature = _key.SignData(AuditCheckpoint.Payload(chain, sequence, hash, at), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new AuditCheckpoint(chain, sequence, hash, at, KeyId, signature);
    }

    /// <summary>True when this key signed <paramref name="checkpoint"/> as it reads now.</summary>
    public bool Verifies(AuditCheckpoint checkpoint) =>
        checkpoint.KeyId == KeyId
        && _key.VerifyData(checkpoint.Payload(), checkpoint.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _key.Dispose();

    private static string NewKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }
}
