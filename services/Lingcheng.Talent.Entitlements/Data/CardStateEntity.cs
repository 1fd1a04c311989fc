using Lingcheng.Talent.Rules.Cards;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// What the entitlement service knows of a card, from the registry's event feed (or, for a card the
/// feed has not brought yet, one GetCard). Keyed by card number, which is the card line: a re-issue
/// keeps the number and raises <see cref="Version"/>.
/// </summary>
public sealed class CardStateEntity
{
    public required string CardNumber { get; set; }

    public required string TalentId { get; set; }

    /// <summary>Current card version; tokens of a lower version are superseded.</summary>
    public int Version { get; set; }

    /// <summary>Stored state (ACTIVE, SUSPENDED, REVOKED); EXPIRED is derived from <see cref="ExpireTime"/>.</summary>
    public CardState State { get; set; }

    public Tier Tier { get; set; }

    public DateTimeOffset ExpireTime { get; set; }

    /// <summary>Sequence of the last registry event applied to this card; events at or below it are skipped.</summary>
    public long LastSequence { get; set; }

    /// <summary>When the registry made the last change we applied.</summary>
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>The state as a caller should see it at <paramref name="now"/>, by the registry's rule (SPEC §3.2): expiry is derived, a suspended card past its expiry is EXPIRED.</summary>
    public CardState EffectiveState(DateTimeOffset now) => CardStateRules.Effective(State, ExpireTime, now);
}

/// <summary>Table mapping of <see cref="CardStateEntity"/>.</summary>
public sealed class CardStateEntityConfiguration : IEntityTypeConfiguration<CardStateEntity>
{
    public void Configure(EntityTypeBuilder<CardStateEntity> b)
    {
        b.ToTable("CardStates");
        b.HasKey(x => x.CardNumber);
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.TalentId).HasMaxLength(64);
        b.Property(x => x.State).HasConversion<int>();
        b.Property(x => x.Tier).HasConversion<int>();
    }
}

/// <summary>
/// How far the registry's event feed has been applied (one row, id 1). Stored in the same database
/// and transaction as the card states, so a restart resumes exactly after the last applied event.
/// </summary>
public sealed class CardFeedCursorEntity
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Highest event sequence applied.</summary>
    public long LastSequence { get; set; }

    /// <summary>Occurrence time of that event.</summary>
    public DateTimeOffset? LastEventTime { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Table mapping of <see cref="CardFeedCursorEntity"/>.</summary>
public sealed class CardFeedCursorEntityConfiguration : IEntityTypeConfiguration<CardFeedCursorEntity>
{
    public void Configure(EntityTypeBuilder<CardFeedCursorEntity> b)
    {
        b.ToTable("CardFeedCursor");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();

        // Seeded, so replicas sharing a database never race to create it.
        b.HasData(new CardFeedCursorEntity { Id = CardFeedCursorEntity.SingletonId, LastSequence = 0, UpdatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) });
    }
}
