using Lingcheng.Talent.Rules.Benefits;
using Lingcheng.Talent.ServiceDefaults.Time;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Verification.CardStates;

namespace Lingcheng.Talent.Verification.Benefits;

/// <summary>
/// This replica's copy of the entitlement service's catalogue and usage counters, fed by its
/// <c>WatchUsage</c> stream (<see cref="UsageFeedConsumer"/>), so that Verify lists the calling
/// agency's benefits with eligibility and remaining quota without a call per verify (SPEC §5.3,
/// §7.1), by the same rule as the entitlement service's ListCardEntitlements (<see cref="Eligibility"/>).
/// The copy answers only while the stream is live (connected and caught up); otherwise Verify asks
/// the entitlement service as before. A Redeem or cancel through this replica marks its card until
/// the stream has delivered that change, so a terminal always sees its own use at once.
/// </summary>
public sealed class BenefitReplica
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UsageKey, int> _used = new();
    private readonly Dictionary<int, long> _awaited = new();
    private Catalogue _catalogue = new([]);
    private long _lastSequence;
    private volatile bool _live;

    private readonly record struct UsageKey(int Card, string Benefit, string Period);

    /// <summary>The catalogue, with each agency's benefits picked out once.</summary>
    private sealed class Catalogue(Benefit[] benefits)
    {
        private readonly Dictionary<string, Benefit[]> _byAgency = benefits
            .SelectMany(b => b.ProviderAgencyCodes.Select(a => (Agency: a, Benefit: b)))
            .GroupBy(x => x.Agency, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Benefit).ToArray(), StringComparer.Ordinal);

        public bool Loaded { get; } = benefits.Length > 0;

        public Benefit[] Of(string agency) => _byAgency.GetValueOrDefault(agency) ?? [];
    }

    /// <summary>Sequence of the last change applied; the stream resumes after it.</summary>
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

    /// <summary>True while the stream is connected and has caught up: only then does the copy answer.</summary>
    public bool Live
    {
        get => _live && _catalogue.Loaded;
        set => _live = value;
    }

    public void SetCatalogue(IEnumerable<Benefit> benefits) => _catalogue = new Catalogue(benefits.ToArray());

    /// <summary>Applies counter changes in sequence order; changes at or below <see cref="LastSequence"/> are skipped.</summary>
    public void Apply(IEnumerable<UsageChange> changes)
    {
        lock (_gate)
        {
            foreach (var c in changes)
            {
                if (c.Sequence <= _lastSequence || !CardStateCache.TryKey(c.CardNumber, out var card))
                {
                    continue;
                }

                _lastSequence = c.Sequence;
                _used[new UsageKey(card, string.Intern(c.BenefitCode), string.Intern(c.Period))] = c.Used;
            }
        }
    }

    /// <summary>Forgets everything (the entitlement service's log started again); the stream then replays from 0.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _used.Clear();
            _awaited.Clear();
            _lastSequence = 0;
        }
    }

    /// <summary>A use or cancel of this card was recorded at <paramref name="sequence"/>: ask the entitlement service until the stream brings it.</summary>
    public void Await(string cardNumber, long sequence)
    {
        if (sequence <= 0 || !CardStateCache.TryKey(cardNumber, out var card))
        {
            return;
        }

        lock (_gate)
        {
            if (sequence > _lastSequence && sequence > _awaited.GetValueOrDefault(card))
            {
                _awaited[card] = sequence;
            }
        }
    }

    /// <summary>
    /// The benefits <paramref name="agency"/> provides, for an active card, as ListCardEntitlements
    /// would list them; false when the copy cannot answer (stream not live, or a change of this card
    /// still on its way).
    /// </summary>
    public bool TryList(CardSnapshot card, string agency, DateTimeOffset now, out Entitlement[] entitlements)
    {
        entitlements = [];
        if (!Live || !CardStateCache.TryKey(card.CardNumber, out var key))
        {
            return false;
        }

        var benefits = _catalogue.Of(agency);
        var active = card.State == CardState.Active && card.ExpiresAt > now;
        var list = new Entitlement[benefits.Length];
        lock (_gate)
        {
            if (_awaited.TryGetValue(key, out var awaited))
            {
                if (awaited > _lastSequence)
                {
                    return false;
                }

                _awaited.Remove(key);
            }

            for (var i = 0; i < benefits.Length; i++)
            {
                var b = benefits[i];
                var period = ChinaTime.PeriodOf(b.QuotaPeriod, now);
                var used = period.Length == 0 ? 0 : _used.GetValueOrDefault(new UsageKey(key, b.Code, period));
                list[i] = Eligibility.Compute(b, active, card.Tier, used, period);
            }
        }

        entitlements = list;
        return true;
    }
}
