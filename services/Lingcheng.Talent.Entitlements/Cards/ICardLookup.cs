using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Lingcheng.Talent.Entitlements.Cards;

/// <summary>
/// Asks the registry about one card. Used only as a fallback for a card the event feed has not
/// brought yet (brief: "may call registry GetCard once"); replaced by a fake in tests.
/// </summary>
public interface ICardLookup
{
    /// <summary>The card, or null when the registry does not know it. Throws <see cref="RpcException"/> when the registry cannot answer.</summary>
    Task<Card?> GetCardAsync(string cardNumber, CancellationToken cancellationToken);
}

/// <summary><see cref="ICardLookup"/> through the registry's GetCard (role service, 5 s deadline from the service client).</summary>
public sealed class RegistryCardLookup(IServiceProvider services) : ICardLookup
{
    public async Task<Card?> GetCardAsync(string cardNumber, CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<TalentRegistryService.TalentRegistryServiceClient>();
        try
        {
            var response = await client.GetCardAsync(new GetCardRequest { CardNumber = cardNumber }, cancellationToken: cancellationToken);
            return response.Card;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
