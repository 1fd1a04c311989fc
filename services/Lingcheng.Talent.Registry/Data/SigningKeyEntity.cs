using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// One key of the signing key ring. The private key (PKCS#8 PEM) is stored only encrypted with
/// AES-GCM under the signing-key KEK (<see cref="Keys.SigningKeyProtector"/>); replicas share the
/// ring through the database.
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

    /// <summary>
    /// For a retired key, the latest expiry among the tokens it signed: verifiers refuse its tokens
    /// that expire later, and the key leaves the trust list then. Not used for a revoked key.
    /// </summary>
    public DateTime? TrustedUntil { get; set; }

    /// <summary>When the key was revoked (status REVOKED); a revoked key stays in the trust list for good.</summary>
    public DateTime? RevokedAt { get; set; }

    /// <summary>Why it was revoked, as the officer gave it.</summary>
    public string? RevocationNote { get; set; }

    /// <summary>
    /// True when every static token this key signed is recorded in <see cref="SignedTokenEntity"/>
    /// (keys created after that table existed); false for older keys, whose reprint report and
    /// trust bound are worked out from the cards that existed while they were active.
    /// </summary>
    public bool SignaturesRecorded { get; set; }

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
        b.Property(k => k.RevocationNote).HasMaxLength(500);
        b.HasIndex(k => k.Status);
    }
}

/// <summary>
/// A static card token handed out (issue, renewal, re-issue, QR rendering): which key signed which
/// card at which version, and the latest expiry it signed for it. Never the token. It tells which
/// cards to re-print when a key is revoked, and how long a retired key must stay trusted.
/// </summary>
public sealed class SignedTokenEntity
{
    public required string Kid { get; set; }

    public required string CardNumber { get; set; }

    /// <summary>The highest card version the key signed a static token for.</summary>
    public int CardVersion { get; set; }

    /// <summary>The latest <c>exp</c> the key signed for this card.</summary>
    public DateTime ExpiresAt { get; set; }

    public DateTime LastSignedAt { get; set; }
}

/// <summary>Table mapping of <see cref="SignedTokenEntity"/>.</summary>
public sealed class SignedTokenEntityConfiguration : IEntityTypeConfiguration<SignedTokenEntity>
{
    public void Configure(EntityTypeBuilder<SignedTokenEntity> b)
    {
        b.ToTable("SignedTokens");
        b.HasKey(t => new { t.Kid, t.CardNumber });
        b.Property(t => t.Kid).HasMaxLength(16).IsFixedLength();
        b.Property(t => t.CardNumber).HasMaxLength(11).IsFixedLength();
    }
}
