using System.Security.Cryptography;
using System.Text;

namespace Lingcheng.Talent.Cards.Tests.Conformance;

/// <summary>
/// A P-256 key made only for the conformance vectors and published with its private scalar. The
/// scalar is SHA-256 of a fixed text, so every run of the generator makes the same keys; nothing in
/// production may ever trust one of them.
/// </summary>
internal sealed class ConformanceKey : IDisposable
{
    // Order of the P-256 group: a scalar must lie in [1, n − 1].
    private static readonly byte[] GroupOrder = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    private ConformanceKey(string name, string description)
    {
        Name = name;
        Description = description;
        Seed = "lingcheng-talent " + name;
        PrivateScalar = SHA256.HashData(Encoding.UTF8.GetBytes(Seed));
        if (PrivateScalar.AsSpan().SequenceCompareTo(GroupOrder) >= 0 || PrivateScalar.All(b => b == 0))
        {
            throw new InvalidOperationException($"The seed of {name} gives no valid P-256 scalar; choose another name.");
        }

        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = PrivateScalar });
        var q = ecdsa.ExportParameters(false).Q;
        PublicKeyX = q.X!;
        PublicKeyY = q.Y!;

        // The generator signs whatever a case needs, including tokens dated outside the window the
        // trust list gives the key; the window in the trust list is what verifiers judge.
        Signer = SigningKey.FromPkcs8Pem(ecdsa.ExportPkcs8PrivateKeyPem(), DateTimeOffset.UnixEpoch, null);
    }

    /// <summary>e.g. <c>conformance-test-key-1</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>The text whose SHA-256 is the private scalar.</summary>
    public string Seed { get; }

    public byte[] PrivateScalar { get; }

    public byte[] PublicKeyX { get; }

    public byte[] PublicKeyY { get; }

    /// <summary>Signs at any time (window from 1970, open).</summary>
    public SigningKey Signer { get; }

    public static ConformanceKey Create(int number, string purpose) =>
        new($"conformance-test-key-{number}", $"conformance-test-key-{number}, published for testing, never trusted in production. {purpose}");

    /// <summary>The trust-list entry with the window and status a vector gives the key.</summary>
    public TrustedKey Trusted(TrustedKeyStatus status, DateTimeOffset validFrom, DateTimeOffset? validUntil = null) =>
        new(Signer.SubjectPublicKeyInfo, validFrom, validUntil, status);

    public void Dispose() => Signer.Dispose();
}
