using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Lingcheng.Talent.Web.Services;

/// <summary>The outcome of a call made for a page: the value, or what to show instead.</summary>
public readonly record struct Outcome<T>(T? Value, ServiceProblem? Problem)
{
    public bool Succeeded => Problem is null;
}

/// <summary>
/// The HR console (SPEC §9, <c>/hr</c>) over the registry: talents and cards. The registry applies its
/// rules to every write and the pages show its answer field by field, so the console has no copy of them.
/// </summary>
public sealed class HrService(TalentClients clients, IStringLocalizer<SharedResource> text)
{
    public Task<Outcome<ListTalentsResponse>> ListTalentsAsync(WebUser user, ListTalentsRequest request, CancellationToken cancellationToken) =>
        CallAsync(() => clients.Registry.ListTalentsAsync(request, user.Call(cancellationToken)).ResponseAsync);

    public Task<Outcome<V1.Talent>> GetTalentAsync(WebUser user, string talentId, CancellationToken cancellationToken) =>
        CallAsync(async () => (await clients.Registry.GetTalentAsync(new GetTalentRequest { TalentId = talentId, IncludePhoto = true }, user.Call(cancellationToken))).Talent);

    public Task<Outcome<IReadOnlyList<Card>>> CardsOfAsync(WebUser user, string talentId, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Card>>(async () => (await clients.Registry.ListCardsAsync(new ListCardsRequest { TalentId = talentId, PageSize = 50 }, user.Call(cancellationToken))).Cards);

    public Task<Outcome<IReadOnlyList<CardEvent>>> CardEventsAsync(WebUser user, string cardNumber, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<CardEvent>>(async () => (await clients.Registry.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = cardNumber, PageSize = 200 }, user.Call(cancellationToken))).Events);

    public Task<Outcome<Card>> GetCardAsync(WebUser user, string cardNumber, CancellationToken cancellationToken) =>
        CallAsync(async () => (await clients.Registry.GetCardAsync(new GetCardRequest { CardNumber = cardNumber }, user.Call(cancellationToken))).Card);

    /// <summary>Registers a talent; the request id comes from the form, so a resubmitted form registers once.</summary>
    public Task<Outcome<V1.Talent>> CreateTalentAsync(WebUser user, string requestId, V1.Talent talent) =>
        CallAsync(async () => (await clients.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = requestId, Talent = talent }, user.Call())).Talent);

    /// <summary>Changes a talent's fields from the form; the photo only when the form carries a new one.</summary>
    public Task<Outcome<V1.Talent>> UpdateTalentAsync(WebUser user, string requestId, string talentId, V1.Talent talent)
    {
        talent.TalentId = talentId;
        var mask = new Google.Protobuf.WellKnownTypes.FieldMask();
        mask.Paths.AddRange(Components.Pages.Hr.TalentForm.Fields);
        if (talent.Photo.Length > 0)
        {
            mask.Paths.Add("photo");
            mask.Paths.Add("photo_content_type");
        }

        return CallAsync(async () => (await clients.Registry.UpdateTalentAsync(new UpdateTalentRequest { RequestId = requestId, Talent = talent, UpdateMask = mask }, user.Call())).Talent);
    }

    public Task<Outcome<Card>> IssueCardAsync(WebUser user, string requestId, string talentId) =>
        CallAsync(async () => (await clients.Registry.IssueCardAsync(new IssueCardRequest { RequestId = requestId, TalentId = talentId }, user.Call())).Card);

    /// <summary>One of the card's state changes, by the action's name (renew, suspend, reinstate, revoke, reissue).</summary>
    public Task<Outcome<Card>> ChangeCardAsync(WebUser user, string action, string requestId, string cardNumber, string note, RevocationReason reason)
    {
        var call = user.Call();
        return action switch
        {
            "renew" => CallAsync(async () => (await clients.Registry.RenewCardAsync(new RenewCardRequest { RequestId = requestId, CardNumber = cardNumber }, call)).Card),
            "suspend" => CallAsync(async () => (await clients.Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = requestId, CardNumber = cardNumber, Note = note }, call)).Card),
            "reinstate" => CallAsync(async () => (await clients.Registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = requestId, CardNumber = cardNumber, Note = note }, call)).Card),
            "revoke" => CallAsync(async () => (await clients.Registry.RevokeCardAsync(new RevokeCardRequest { RequestId = requestId, CardNumber = cardNumber, Reason = reason, Note = note }, call)).Card),
            "reissue" => CallAsync(async () => (await clients.Registry.ReissueCardAsync(new ReissueCardRequest { RequestId = requestId, CardNumber = cardNumber, Note = note }, call)).Card),
            _ => Task.FromResult(new Outcome<Card>(null, new ServiceProblem(StatusCode.InvalidArgument, text["Hr.UnknownAction"], new Dictionary<string, string>()))),
        };
    }

    /// <summary>The printed (static) QR of a card as SVG, for the print page.</summary>
    public Task<Outcome<RenderCardQrResponse>> CardQrSvgAsync(WebUser user, string cardNumber, CancellationToken cancellationToken) =>
        CallAsync(() => clients.Registry.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = cardNumber, Format = QrImageFormat.Svg }, user.Call(cancellationToken)).ResponseAsync);

    private async Task<Outcome<T>> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return new Outcome<T>(await call(), null);
        }
        catch (RpcException ex)
        {
            return new Outcome<T>(default, ServiceProblem.From(ex, text));
        }
    }
}
