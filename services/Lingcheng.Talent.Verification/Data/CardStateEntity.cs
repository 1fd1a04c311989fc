using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Verification.Data;

/// <summary>
/// The latest state of one card as the registry's feed reported it; loaded into the in-memory
/// cache at start so a restart resumes the feed instead of replaying it.
/// </summary>
public sealed class CardStateEntity
{
    public required string CardNumber { get; set; }

    public int Version { get; set; }

    /// <summary><see cref="V1.CardState"/> value (ACTIVE, SUSPENDED or REVOKED).</summary>
    public int State { get; set; }

    /// <summary><see cref="V1.Tier"/> value.</summary>
    public int Tier { get; set; }

    public required string HolderDisplayName { get; set; }

    /// <summary>Card expiry, seconds since the Unix epoch.</summary>
    public long ExpiresAtUnixSeconds { get; set; }

    /// <summary>The holder's talent id (to fetch the photo).</summary>
    public required string TalentId { get; set; }

    /// <summary>Sequence of the event this state came from.</summary>
    public long Sequence { get; set; }
}

/// <summary>Where the feed resumes: one row.</summary>
public sealed class FeedCursorEntity
{
    public int Id { get; set; }

    /// <summary>The last event sequence whose card state is stored.</summary>
    public long LastSequence { get; set; }

    /// <summary>Time of the latest registry message applied, UTC ticks (0: none yet).</summary>
    public long StateAsOfUtcTicks { get; set; }
}

/// <summary>
/// One verify or redeem of a card, for the holder's "who verified my card" list: derived from its
/// audit record (same sequence number; <see cref="Audit.CardVerificationNote"/>), so it can always be
/// rebuilt from the audit trail.
/// </summary>
public sealed class CardVerificationEntity
{
    /// <summary>The audit record's sequence.</summary>
    public long AuditSequence { get; set; }

    public required string CardNumber { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public required string AgencyCode { get; set; }

    /// <summary>VerificationOutcome name without prefix, e.g. VALID.</summary>
    public required string Outcome { get; set; }

    /// <summary>VERIFY or REDEEM.</summary>
    public required string Action { get; set; }

    public string? BenefitCode { get; set; }
}

internal sealed class CardStateEntityConfiguration : IEntityTypeConfiguration<CardStateEntity>
{
    public void Configure(EntityTypeBuilder<CardStateEntity> b)
    {
        b.ToTable("CardStates");
        b.HasKey(x => x.CardNumber);
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.HolderDisplayName).HasMaxLength(64);
        b.Property(x => x.TalentId).HasMaxLength(40);
    }
}

internal sealed class FeedCursorEntityConfiguration : IEntityTypeConfiguration<FeedCursorEntity>
{
    public void Configure(EntityTypeBuilder<FeedCursorEntity> b)
    {
        b.ToTable("FeedCursor");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
    }
}

internal sealed class CardVerificationEntityConfiguration : IEntityTypeConfiguration<CardVerificationEntity>
{
    public void Configure(EntityTypeBuilder<CardVerificationEntity> b)
    {
        b.ToTable("CardVerifications");
        b.HasKey(x => x.AuditSequence);
        b.Property(x => x.AuditSequence).ValueGeneratedNever();
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.AgencyCode).HasMaxLength(32);
        b.Property(x => x.Outcome).HasMaxLength(64);
        b.Property(x => x.Action).HasMaxLength(16);
        b.Property(x => x.BenefitCode).HasMaxLength(64);
        b.HasIndex(x => new { x.CardNumber, x.AuditSequence });
    }
}

/// <summary>
/// A key of the registry's trust list as last fetched, so that a restart while the registry is
/// down still verifies signatures (degraded operation).
/// </summary>
public sealed class TrustedKeyEntity
{
    public required string Kid { get; set; }

    public required byte[] SubjectPublicKeyInfo { get; set; }

    public long ValidFromUtcTicks { get; set; }

    public long? ValidUntilUtcTicks { get; set; }

    /// <summary>A retired key's trust end (the latest expiry it signed), if any.</summary>
    public long? TrustedUntilUtcTicks { get; set; }

    /// <summary><see cref="Cards.TrustedKeyStatus"/> value.</summary>
    public int Status { get; set; }
}

internal sealed class TrustedKeyEntityConfiguration : IEntityTypeConfiguration<TrustedKeyEntity>
{
    public void Configure(EntityTypeBuilder<TrustedKeyEntity> b)
    {
        b.ToTable("TrustedKeys");
        b.HasKey(x => x.Kid);
        b.Property(x => x.Kid).HasMaxLength(16);
        b.Property(x => x.SubjectPublicKeyInfo).HasMaxLength(200);
    }
}
