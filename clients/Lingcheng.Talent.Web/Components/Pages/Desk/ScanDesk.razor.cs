using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Services;
using Microsoft.JSInterop;

namespace Lingcheng.Talent.Web.Components.Pages.Desk;

/// <summary>
/// The agency desk (SPEC §9, <c>/desk</c>): a scan box that a handheld scanner types into, a camera,
/// the verdict, the agency's benefits with Record use, and the terminal's recent scans. Interactive
/// on the server: the page holds no token and calls nothing but this component.
/// </summary>
public sealed partial class ScanDesk
{
    private WebUser? user;
    private string? agencyName;
    private DeskScan? scan;
    private IReadOnlyList<DeskScan> recent = [];
    private bool checking;
    private bool cameraOn;
    private string? cameraProblem;
    private string? cancelling;
    private string cancelReason = "";
    private string? cancelProblem;
    private IJSObjectReference? module;
    private DotNetObjectReference<ScanDesk>? self;
    private ITimer? resetTimer;

    protected override async Task OnInitializedAsync()
    {
        user = WebUser.From((await AuthenticationState.GetAuthenticationStateAsync()).User);
        if (user is null)
        {
            return;
        }

        var agency = await Agencies.FindAsync(user, user.Agency!);
        agencyName = agency is null ? user.Agency : System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? agency.EnglishName : agency.Name;
        Refresh();
        resetTimer = Time.CreateTimer(_ => InvokeAsync(ResetIfIdle), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            self = DotNetObjectReference.Create(this);
            module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/desk.js");
            await module.InvokeVoidAsync("init", self, DeskService.MaxQrTextLength);
        }
        else if (module is not null && cancelling is null)
        {
            await module.InvokeVoidAsync("focusScanBox");
        }
    }

    /// <summary>The scanner's (or a paste's) text, sent by the page on Enter.</summary>
    [JSInvokable]
    public async Task Scan(string text)
    {
        if (user is null || checking)
        {
            return;
        }

        checking = true;
        cancelling = null;
        StateHasChanged();
        try
        {
            await Desks.ScanAsync(user, text);
        }
        finally
        {
            checking = false;
            Refresh();
            StateHasChanged();
        }
    }

    /// <summary>A text longer than any card's QR: the page sends only its length.</summary>
    [JSInvokable]
    public void ScanTooLong(int length)
    {
        if (user is null)
        {
            return;
        }

        Desks.ScanTooLong(user, length);
        Refresh();
        StateHasChanged();
    }

    /// <summary>The camera read a QR code: the camera stops and the text is verified like a scan.</summary>
    [JSInvokable]
    public Task CameraRead(string text)
    {
        cameraOn = false;
        return Scan(text);
    }

    private async Task ToggleCameraAsync()
    {
        if (module is null)
        {
            return;
        }

        cameraProblem = null;
        if (cameraOn)
        {
            await module.InvokeVoidAsync("stopCamera");
            cameraOn = false;
            return;
        }

        cameraOn = true;
        StateHasChanged();
        var problem = await module.InvokeAsync<string?>("startCamera");
        if (problem is not null)
        {
            cameraOn = false;
            cameraProblem = problem;
        }
    }

    private async Task RecordAsync(string benefitCode)
    {
        if (user is null || scan is null)
        {
            return;
        }

        var recording = Desks.RecordUseAsync(user, scan, benefitCode);
        StateHasChanged(); // the button shows disabled while the call runs
        await recording;
        Refresh();
    }

    private void StartCancel(string redemptionId)
    {
        cancelling = redemptionId;
        cancelReason = L["Desk.CancelDefaultReason"];
        cancelProblem = null;
    }

    private async Task CancelAsync(string redemptionId)
    {
        if (user is null)
        {
            return;
        }

        cancelProblem = await Desks.CancelUseAsync(user, redemptionId, cancelReason);
        cancelling = null;
        Refresh();
    }

    private void ResetIfIdle()
    {
        if (user is null || checking || cancelling is not null || scan is null)
        {
            return;
        }

        if (Time.GetUtcNow() - scan.LastActivity >= TimeSpan.FromSeconds(Desks.Options.ResetAfterSeconds) && !scan.Uses.Values.Any(u => u.InFlight || u.PendingRedemptionId is not null))
        {
            Desks.DeskOf(user).Clear(scan.Number);
            Refresh();
            StateHasChanged();
        }
    }

    private void Refresh()
    {
        if (user is null)
        {
            return;
        }

        var desk = Desks.DeskOf(user);
        scan = desk.Current;
        recent = desk.Recent;
    }

    private string QuotaText(Entitlement e) => e.QuotaPeriod switch
    {
        QuotaPeriod.Unlimited or QuotaPeriod.Unspecified => L["Quota.Unlimited"],
        QuotaPeriod.PerCalendarYear => L["Quota.Year", e.Remaining, e.QuotaLimit],
        _ => L["Quota.Card", e.Remaining, e.QuotaLimit],
    };

    private string OutcomeWord(DeskScan item) =>
        item.Problem is not null ? L["Verdict.Problem"]
        : item.TooLongLength is not null ? L["Outcome.MALFORMED"]
        : L["Outcome." + Names.Of(item.Outcome)];

    public async ValueTask DisposeAsync()
    {
        resetTimer?.Dispose();
        if (module is not null)
        {
            try
            {
                await module.InvokeVoidAsync("dispose");
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The page is gone; so is its camera.
            }
        }

        self?.Dispose();
    }
}
