using System.Runtime.InteropServices;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;
using CardTier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Verification.CardStates;

/// <summary>What the verification service knows about one card.</summary>
public readonly record struct CardSnapshot(
    string CardNumber,
    int Version,
    CardState State,
    CardTier Tier,
    string HolderDisplayName,
    DateTimeOffset ExpiresAt);

/// <summary>
/// Every card's state in memory, fed by the registry's event feed (SPEC §5.3). Built to hold a
/// million cards in well under the 300 MB budget of SPEC §7.1: one 16-byte struct per card in a
/// <see cref="Dictionary{TKey,TValue}"/> keyed by the card number's 8 digits as an int (the
/// check character follows from them), and each masked display name stored once and shared
/// (masked names repeat a lot: only the first and last character survive). About 40 bytes a card.
/// Thread-safe: one writer (the feed) and many readers under a short lock.
/// </summary>
public sealed class CardStateCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Entry> _cards = new();
    private readonly Dictionary<string, int> _nameIndex = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private long _lastSequence;
    private long _stateAsOfTicks;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct Entry
    {
        public int Version;
        public uint ExpiresUnixSeconds;
        public int NameIndex;
        public byte State;
        public byte Tier;
    }

    /// <summary>Sequence of the last event applied; the feed resumes after it.</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _lastSequence;
            }
        }
    }

    /// <summary>Time of the latest registry message (event or heartbeat) applied; null before the first.</summary>
    public DateTimeOffset? StateAsOf
    {
        get
        {
            var ticks = Interlocked.Read(ref _stateAsOfTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>True once the feed has delivered the registry's whole history since this process started.</summary>
    public bool CaughtUp { get; private set; }

    /// <summary>Number of cards held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _cards.Count;
            }
        }
    }

    /// <summary>The card's state, or false when the card has never appeared in the feed.</summary>
    public bool TryGet(string cardNumber, out CardSnapshot snapshot)
    {
        snapshot = default;
        if (!TryKey(cardNumber, out var key))
        {
            return false;
        }

        Entry entry;
        string name;
        lock (_gate)
        {
            if (!_cards.TryGetValue(key, out entry))
            {
                return false;
            }

            name = _names[entry.NameIndex];
        }

        snapshot = new CardSnapshot(cardNumber, entry.Version, (CardState)entry.State, (CardTier)entry.Tier, name,
            DateTimeOffset.FromUnixTimeSeconds(entry.ExpiresUnixSeconds));
        return true;
    }

    /// <summary>
    /// Applies one event of the feed. Events at or below <see cref="LastSequence"/> are skipped, so
    /// a replay after a reconnect changes nothing. Returns false for a skipped event.
    /// </summary>
    public bool Apply(CardEvent e, DateTimeOffset messageTime)
    {
        lock (_gate)
        {
            if (e.Sequence <= _lastSequence)
            {
                return false;
            }

            _lastSequence = e.Sequence;
            Set(e.CardNumber, e.CardVersion, e.State, e.Tier, e.HolderDisplayName, e.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch);
        }

        Touch(messageTime);
        return true;
    }

    /// <summary>Records a heartbeat of the feed: the state is current as of <paramref name="messageTime"/>.</summary>
    public void Heartbeat(DateTimeOffset messageTime, bool caughtUp)
    {
        Touch(messageTime);
        if (caughtUp)
        {
            CaughtUp = true;
        }
    }

    /// <summary>Loads a persisted card at start (no sequence check).</summary>
    public void Load(string cardNumber, int version, CardState state, CardTier tier, string holderDisplayName, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            Set(cardNumber, version, state, tier, holderDisplayName, expiresAt);
        }
    }

    /// <summary>Sets the resume point and state time read from the database at start.</summary>
    public void LoadCursor(long lastSequence, DateTimeOffset? stateAsOf)
    {
        lock (_gate)
        {
            _lastSequence = lastSequence;
        }

        if (stateAsOf is { } t)
        {
            Touch(t);
        }
    }

    private void Set(string cardNumber, int version, CardState state, CardTier tier, string name, DateTimeOffset expiresAt)
    {
        if (!TryKey(cardNumber, out var key))
        {
            return;
        }

        name ??= "";
        if (!_nameIndex.TryGetValue(name, out var nameIndex))
        {
            nameIndex = _names.Count;
            _names.Add(name);
            _nameIndex.Add(name, nameIndex);
        }

        var seconds = Math.Clamp(expiresAt.ToUnixTimeSeconds(), 0, uint.MaxValue);
        _cards[key] = new Entry
        {
            Version = version,
            ExpiresUnixSeconds = (uint)seconds,
            NameIndex = nameIndex,
            State = (byte)state,
            Tier = (byte)tier,
        };
    }

    private void Touch(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _stateAsOfTicks);
            if (ticks <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _stateAsOfTicks, ticks, current) != current);
    }

    /// <summary>The card number's 8 digits as an int; false for anything that is not a valid card number.</summary>
    internal static bool TryKey(string? cardNumber, out int key)
    {
        key = 0;
        if (!CardNumber.IsValid(cardNumber))
        {
            return false;
        }

        for (var i = 2; i < 10; i++)
        {
            key = (key * 10) + (cardNumber[i] - '0');
        }

        return true;
    }
}
