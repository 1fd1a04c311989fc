using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Verification.CardStates;
using Lingcheng.Talent.V1;
using Xunit;
using CardTier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>The in-memory card states fed by the registry's events (in process, no services).</summary>
public sealed class CardStateCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_latest_event_of_a_card_wins_and_replayed_events_change_nothing()
    {
        var cache = new CardStateCache();
        var number = CardNumber.Create(26, 42);

        Assert.True(cache.Apply(Event(1, number, CardState.Active, 1), Now));
        Assert.True(cache.Apply(Event(2, number, CardState.Revoked, 1), Now.AddSeconds(1)));
        Assert.False(cache.Apply(Event(1, number, CardState.Active, 1), Now.AddSeconds(2))); // a replay after reconnecting

        Assert.True(cache.TryGet(number, out var card));
        Assert.Equal(CardState.Revoked, card.State);
        Assert.Equal(2, cache.LastSequence);
        Assert.Equal("张*明", card.HolderDisplayName);
        Assert.Equal(Now.AddYears(3), card.ExpiresAt);
        Assert.Equal(Now.AddSeconds(1), cache.StateAsOf);
    }

    [Fact]
    public void A_card_the_feed_never_mentioned_is_not_found_and_nor_is_a_malformed_number()
    {
        var cache = new CardStateCache();
        cache.Apply(Event(1, CardNumber.Create(26, 1), CardState.Active, 1), Now);

        Assert.False(cache.TryGet(CardNumber.Create(26, 2), out _));
        Assert.False(cache.TryGet("LC26000001X", out _));
        Assert.False(cache.TryGet("not a card", out _));
    }

    [Fact]
    public void A_heartbeat_moves_the_state_time_but_never_backwards()
    {
        var cache = new CardStateCache();
        cache.Heartbeat(Now, caughtUp: true);
        cache.Heartbeat(Now.AddSeconds(-5), caughtUp: true);

        Assert.Equal(Now, cache.StateAsOf);
        Assert.True(cache.CaughtUp);
    }

    [Fact]
    public void A_million_cards_fit_in_well_under_the_memory_budget()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new CardStateCache();
        string[] names = ["张*明", "王*", "欧**明", "李*华", "陈*"];
        for (var i = 0; i < 1_000_000; i++)
        {
            cache.Load(CardNumber.Create(20 + (i % 7), i), 1, CardState.Active, CardTier.C, names[i % names.Length], Now.AddYears(3));
        }

        var used = GC.GetTotalMemory(forceFullCollection: true) - before;

        TestContext.Current.SendDiagnosticMessage($"1 000 000 cards: {used / (1024 * 1024)} MB managed heap");
        Assert.Equal(1_000_000, cache.Count);
        Assert.True(used < 100L * 1024 * 1024, $"a million cards took {used / (1024 * 1024)} MB");
        GC.KeepAlive(cache);
    }

    private static CardEvent Event(long sequence, string number, CardState state, int version) => new()
    {
        Sequence = sequence,
        Type = CardEventType.Issued,
        CardNumber = number,
        CardVersion = version,
        State = state,
        Tier = CardTier.A,
        HolderDisplayName = "张*明",
        ExpireTime = Timestamp.FromDateTimeOffset(Now.AddYears(3)),
        OccurTime = Timestamp.FromDateTimeOffset(Now),
        TalentId = "T1",
    };
}
