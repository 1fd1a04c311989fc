using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Lingcheng.Talent.Cards;

/// <summary>Status of a card in a revocation snapshot.</summary>
public enum RevocationStatus
{
    /// <summary>Revoked: final, every version refused.</summary>
    Revoked = 1,

    /// <summary>Suspended: temporary.</summary>
    Suspended = 2,

    /// <summary>
    /// In force. In a delta: the card is no longer suspended (reinstated) or was re-issued. In a
    /// full snapshot it appears only to carry a minimum valid version above 1.
    /// </summary>
    Cleared = 3,
}

/// <summary>One card in a revocation snapshot.</summary>
/// <param name="CardNumber">The card number.</param>
/// <param name="Status">Revoked, suspended or cleared.</param>
/// <param name="MinValidVersion">The card's current version: tokens of older versions are SUPERSEDED.</param>
public sealed record RevocationEntry(string CardNumber, RevocationStatus Status, int MinValidVersion);

/// <summary>
/// The signed list an offline verifier uses for card states (SPEC §5.1): every card that is
/// revoked, suspended or re-issued (version above 1), as of an event sequence number. A delta
/// (<see cref="FromSequence"/> set) holds the current entry of every card whose state changed
/// after that sequence; <see cref="Apply"/> merges it into a full snapshot.
/// </summary>
public sealed record RevocationSnapshot
{
    private readonly IReadOnlyList<RevocationEntry> _entries = [];
    private readonly FrozenDictionary<string, RevocationEntry> _byCard = FrozenDictionary<string, RevocationEntry>.Empty;

    /// <summary>Creates a snapshot; entries are sorted by card number.</summary>
    /// <exception cref="ArgumentException">A bad card number, a duplicate card, a version below 1, or sequences out of order.</exception>
    public RevocationSnapshot(string issuer, long sequence, DateTimeOffset issuedAt, long? fromSequence, IEnumerable<RevocationEntry> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        if (fromSequence is < 0 || fromSequence > sequence)
        {
            throw new ArgumentOutOfRangeException(nameof(fromSequence), "A delta starts at or before the sequence it brings the snapshot to.");
        }

        Issuer = issuer;
        Sequence = sequence;

        // The signed form carries whole seconds; keeping whole seconds here makes a snapshot
        // equal to its decoded self.
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(issuedAt.ToUnixTimeSeconds());
        FromSequence = fromSequence;
        Entries = [.. entries];
    }

    /// <summary>The issuer, <see cref="CardToken.Issuer"/>.</summary>
    public string Issuer { get; init; }

    /// <summary>The card event sequence number this snapshot is current to.</summary>
    public long Sequence { get; init; }

    /// <summary>When the registry produced it (whole seconds).</summary>
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>Null for a full snapshot; for a delta, the sequence it continues from.</summary>
    public long? FromSequence { get; init; }

    /// <summary>The entries, sorted by card number, one per card.</summary>
    public IReadOnlyList<RevocationEntry> Entries
    {
        get => _entries;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            var byCard = new Dictionary<string, RevocationEntry>(value.Count, StringComparer.Ordinal);
            foreach (var entry in value)
            {
                ArgumentNullException.ThrowIfNull(entry, nameof(Entries));
                if (!CardNumber.IsValid(entry.CardNumber))
                {
                    throw new ArgumentException($"'{entry.CardNumber}' is not a valid card number.", nameof(Entries));
                }

                if (!Enum.IsDefined(entry.Status) || entry.MinValidVersion < 1)
                {
                    throw new ArgumentException($"The entry of {entry.CardNumber} has an unknown status or a version below 1.", nameof(Entries));
                }

                if (!byCard.TryAdd(entry.CardNumber, entry))
                {
                    throw new ArgumentException($"Card {entry.CardNumber} appears twice.", nameof(Entries));
                }
            }

            var sorted = new RevocationEntry[byCard.Count];
            byCard.Values.CopyTo(sorted, 0);
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.CardNumber, b.CardNumber));
            _entries = Array.AsReadOnly(sorted);
            _byCard = byCard.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    /// <summary>True for a delta.</summary>
    public bool IsDelta => FromSequence is not null;

    /// <summary>The entry of a card, if it has one (cards in force with version 1 have none).</summary>
    public bool TryGetEntry(string cardNumber, [NotNullWhen(true)] out RevocationEntry? entry) =>
        _byCard.TryGetValue(cardNumber, out entry);

    /// <summary>
    /// Merges a delta (or a newer full snapshot) into this full snapshot and returns the result,
    /// current to the delta's sequence. A delta that is not newer changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a delta, or the delta starts after this snapshot's sequence (a gap: fetch a full snapshot).</exception>
    /// <exception cref="ArgumentException">The delta is from another issuer.</exception>
    public RevocationSnapshot Apply(RevocationSnapshot delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (IsDelta)
        {
            throw new InvalidOperationException("Deltas are applied to a full snapshot.");
        }

        if (!string.Equals(delta.Issuer, Issuer, StringComparison.Ordinal))
        {
            throw new ArgumentException("The delta is from another issuer.", nameof(delta));
        }

        if (delta.Sequence <= Sequence)
        {
            return this;
        }

        if (!delta.IsDelta)
        {
            return delta;
        }

        if (delta.FromSequence > Sequence)
        {
            throw new InvalidOperationException($"The delta starts at sequence {delta.FromSequence}, after this snapshot's {Sequence}: changes in between would be lost.");
        }

        // Entries are states, not events: a later entry replaces an earlier one, and a card that
        // is cleared at version 1 needs no entry at all.
        var merged = new Dictionary<string, RevocationEntry>(_byCard, StringComparer.Ordinal);
        foreach (var entry in delta.Entries)
        {
            if (entry.Status == RevocationStatus.Cleared && entry.MinValidVersion <= 1)
            {
                merged.Remove(entry.CardNumber);
            }
            else
            {
                merged[entry.CardNumber] = entry;
            }
        }

        return new RevocationSnapshot(Issuer, delta.Sequence, delta.IssuedAt, null, merged.Values);
    }

    /// <summary>Value equality, comparing the entries by content.</summary>
    public bool Equals(RevocationSnapshot? other) =>
        other is not null
        && Issuer == other.Issuer
        && Sequence == other.Sequence
        && IssuedAt == other.IssuedAt
        && FromSequence == other.FromSequence
        && _entries.SequenceEqual(other._entries);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Issuer, Sequence, IssuedAt, FromSequence, _entries.Count);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Issuer = ").Append(Issuer)
            .Append(", Sequence = ").Append(Sequence)
            .Append(", IssuedAt = ").Append(IssuedAt.ToUnixTimeSeconds())
            .Append(", FromSequence = ").Append(FromSequence)
            .Append(", Entries = ").Append(_entries.Count);
        return true;
    }
}
