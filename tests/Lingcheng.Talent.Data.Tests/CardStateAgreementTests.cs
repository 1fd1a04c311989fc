using Xunit;
using Lingcheng.Talent.Registry.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.V1;
using EntitlementCard = Lingcheng.Talent.Entitlements.Data.CardStateEntity;

namespace Lingcheng.Talent.Data.Tests;

/// <summary>
/// The registry and the entitlement service judge a card's state by the one rule (Rules/Cards/CardStateRules):
/// every stored state, before and after expiry, gives the same answer in both. Before, a suspended card past
/// its expiry was EXPIRED in the registry and SUSPENDED in the entitlement service.
/// </summary>
public sealed class CardStateAgreementTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(CardState.Active, -1, CardState.Expired)]
    [InlineData(CardState.Active, 1, CardState.Active)]
    [InlineData(CardState.Suspended, -1, CardState.Expired)]
    [InlineData(CardState.Suspended, 1, CardState.Suspended)]
    [InlineData(CardState.Revoked, -1, CardState.Revoked)]
    [InlineData(CardState.Revoked, 1, CardState.Revoked)]
    public void Registry_and_entitlement_service_see_the_same_state(CardState stored, int daysToExpiry, CardState expected)
    {
        var expires = Now.AddDays(daysToExpiry);
        var registry = CardStates.Effective(
            new CardEntity { CardNumber = "LC26000001X", TalentId = "T1", HolderDisplayName = "张*明", State = (int)stored, ExpiresAt = expires }, Now);
        var entitlements = new EntitlementCard { CardNumber = "LC26000001X", TalentId = "T1", State = stored, ExpireTime = expires }.EffectiveState(Now);

        Assert.Equal(expected, registry);
        Assert.Equal(expected, entitlements);
    }
}
