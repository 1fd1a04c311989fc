using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// A registered talent. The document number and the phone number are stored only encrypted
/// (AES-GCM, see <see cref="Protection.PersonalDataProtector"/>); the document number is found
/// through its keyed blind index. The name stays in clear so that the name-prefix filter works;
/// it is masked on output for every role but hr_officer.
/// </summary>
public sealed class TalentEntity
{
    /// <summary>Insertion order; the paging key of ListTalents (registration order).</summary>
    public long Id { get; set; }

    /// <summary>The public identifier, e.g. <c>T0195…</c>.</summary>
    public required string TalentId { get; set; }

    public required string FullName { get; set; }

    public int Gender { get; set; }

    public int DocumentType { get; set; }

    /// <summary>AES-GCM ciphertext of the document number (version, nonce, tag, ciphertext).</summary>
    public required byte[] DocumentNumberCipher { get; set; }

    /// <summary>HMAC-SHA256 of document type and number under the blind-index key; unique.</summary>
    public required byte[] DocumentBlindIndex { get; set; }

    public required string Nationality { get; set; }

    /// <summary>AES-GCM ciphertext of the mobile phone number.</summary>
    public required byte[] MobilePhoneCipher { get; set; }

    public required string EmployerName { get; set; }

    public required string EmployerCreditCode { get; set; }

    public int Tier { get; set; }

    public string Programme { get; set; } = "";

    public byte[]? Photo { get; set; }

    public string? PhotoContentType { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>Table mapping of <see cref="TalentEntity"/>.</summary>
public sealed class TalentEntityConfiguration : IEntityTypeConfiguration<TalentEntity>
{
    public void Configure(EntityTypeBuilder<TalentEntity> b)
    {
        b.ToTable("Talents");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).ValueGeneratedOnAdd();
        b.Property(t => t.TalentId).HasMaxLength(40);
        b.HasIndex(t => t.TalentId).IsUnique();
        b.Property(t => t.FullName).HasMaxLength(64);
        b.HasIndex(t => t.FullName);
        b.Property(t => t.DocumentNumberCipher).HasMaxLength(128);
        b.Property(t => t.DocumentBlindIndex).HasMaxLength(32);
        b.HasIndex(t => t.DocumentBlindIndex).IsUnique();
        b.Property(t => t.Nationality).HasMaxLength(3).IsFixedLength();
        b.Property(t => t.MobilePhoneCipher).HasMaxLength(128);
        b.Property(t => t.EmployerName).HasMaxLength(200);
        b.Property(t => t.EmployerCreditCode).HasMaxLength(18).IsFixedLength();
        b.Property(t => t.Programme).HasMaxLength(100);
        b.Property(t => t.Photo).HasMaxLength(200 * 1024);
        b.Property(t => t.PhotoContentType).HasMaxLength(32);
        b.HasIndex(t => t.Tier);
    }
}
