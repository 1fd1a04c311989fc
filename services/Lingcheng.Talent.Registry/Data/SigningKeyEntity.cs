using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// One key of the signing key ring. The private key (PKCS#8 PEM) is stored only encrypted with
/// AES-GCM under a key derived from the registry's master key; replicas share the ring through
/// the database.
/// </summary>
public sealed class SigningKeyEntity
{
    /// <summary>Hex kid: first 8 bytes of SHA-256 over the SubjectPublicKeyInfo.</summary>
    public required string Kid { get; set; }

    public required byte[] SubjectPublicKeyInfo { get; set; }

    /// <summary>AES-GCM ciphertext of the private key PEM; never logged.</summary>
    public required byte[] PrivateKeyCipher { get; set; }

    /// <summary><c>SigningKeyStatus</c> value.</summary>
    public int Status { get; set; }

    public DateTime ValidFrom { get; set; }

    /// <summary>Null while active; the rotation time once retired.</summary>
    public DateTime? ValidUntil { get; set; }

    /// <summary>When a retired key leaves the trust list: no token it signed can still be valid.</summary>
    public DateTime? TrustedUntil { get; set; }

    /// <summary><c>generated</c> or <c>imported</c>.</summary>
    public required string Origin { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>Table mapping of <see cref="SigningKeyEntity"/>.</summary>
public sealed class SigningKeyEntityConfiguration : IEntityTypeConfiguration<SigningKeyEntity>
{
    public void Configure(EntityTypeBuilder<SigningKeyEntity> b)
    {
        b.ToTable("SigningKeys");
        b.HasKey(k => k.Kid);
        b.Property(k => k.Kid).HasMaxLength(16).IsFixedLength();
        b.Property(k => k.SubjectPublicKeyInfo).HasMaxLength(200);
        b.Property(k => k.PrivateKeyCipher).HasMaxLength(1000);
        b.Property(k => k.Origin).HasMaxLength(16);
        b.HasIndex(k => k.Status);
    }
}
