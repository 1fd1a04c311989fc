using Grpc.Core;
using Grpc.Net.Client;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Identity.Admin;

/// <summary>
/// Reads a card's holder from the registry with the HR officer's own token (the registry decides what
/// they may read, and audits the unmasked read), so a talent account is only ever made for a real card
/// and its document's last six characters come from the register, not from what someone typed.
/// </summary>
public sealed class RegistryLookup(IConfiguration configuration) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(
        configuration["Services:Registry"] ?? "http://127.0.0.1:5101",
        new GrpcChannelOptions { UnsafeUseInsecureChannelCallCredentials = true });

    public sealed record Holder(string CardNumber, string TalentId, string FullName, string DocumentTail);

    /// <summary>The card's holder; RpcException NOT_FOUND for an unknown card, PERMISSION_DENIED when the caller may not read it.</summary>
    public async Task<Holder> HolderOfCardAsync(string cardNumber, string bearerToken, CancellationToken ct)
    {
        var client = new TalentRegistryService.TalentRegistryServiceClient(_channel);
        var options = new CallOptions(new Metadata { { "Authorization", "Bearer " + bearerToken } }, DateTime.UtcNow.AddSeconds(10), ct);
        var card = (await client.GetCardAsync(new GetCardRequest { CardNumber = cardNumber }, options)).Card;
        var talent = (await client.GetTalentAsync(new GetTalentRequest { TalentId = card.TalentId }, options)).Talent;
        var document = talent.DocumentNumber.Trim().ToUpperInvariant();
        return new Holder(card.CardNumber, talent.TalentId, talent.FullName, document.Length <= 6 ? document : document[^6..]);
    }

    public void Dispose() => _channel.Dispose();
}
