using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// What the desk does with the verification service (Verify, Redeem, CancelRedemption), on the
/// terminal's <see cref="TerminalDesk"/>. Writes run to their end even when the page goes away, so a
/// reload shows what happened; a use whose answer was lost keeps its redemption id for the retry.
/// </summary>
public sealed class DeskService(
    TalentClients clients,
    TerminalDesks desks,
    IOptions<DeskOptions> options,
    TimeProvider time,
    IStringLocalizer<SharedResource> text)
{
    /// <summary>The longest text sent for verification; the service refuses longer ones, and no card's QR comes near.</summary>
    public const int MaxQrTextLength = 4096;

    /// <summary>A recorded use can be cancelled by its agency for this long (SPEC §5.2).</summary>
    public static readonly TimeSpan CancelWindow = TimeSpan.FromHours(24);

    public DeskOptions Options => options.Value;

    public TerminalDesk DeskOf(WebUser user) => desks.For(user.Agency!, user.TerminalId);

    /// <summary>Verifies a scanned text and puts the verdict on the terminal's screen.</summary>
    public async Task<DeskScan> ScanAsync(WebUser user, string qrText)
    {
        var desk = DeskOf(user);
        qrText = qrText.Trim();
        if (qrText.Length > MaxQrTextLength)
        {
            return ScanTooLong(user, qrText.Length);
        }

        var scan = desk.Add(time.GetUtcNow(), qrText);
        try
        {
            var response = await clients.Verification.VerifyAsync(
                new VerifyRequest { QrText = qrText, IncludePhoto = options.Value.ShowPhoto }, user.Call());
            lock (desk.Gate)
            {
                scan.Response = response;
                foreach (var entitlement in response.Benefits)
                {
                    scan.Uses[entitlement.BenefitCode] = new BenefitUse(entitlement);
                }

                if (response.Outcome != VerificationOutcome.Valid)
                {
                    scan.QrText = null;
                }
            }
        }
        catch (RpcException ex)
        {
            lock (desk.Gate)
            {
                scan.Problem = ServiceProblem.From(ex, text);
                scan.QrText = null;
            }
        }

        return scan;
    }

    /// <summary>Records a scan whose text was too long to be a card's QR (the browser sends only its length).</summary>
    public DeskScan ScanTooLong(WebUser user, int length)
    {
        var scan = DeskOf(user).Add(time.GetUtcNow(), null);
        scan.TooLongLength = length;
        return scan;
    }

    /// <summary>
    /// Records one use of a benefit from the scan on screen. A click while a call for the same benefit
    /// runs, or after the use was recorded, does nothing; a new use needs a new scan.
    /// </summary>
    public async Task RecordUseAsync(WebUser user, DeskScan scan, string benefitCode)
    {
        var desk = DeskOf(user);
        BenefitUse? use;
        string qrText, redemptionId;
        lock (desk.Gate)
        {
            if (!scan.Uses.TryGetValue(benefitCode, out use) || use.InFlight || use.Recorded is not null || scan.QrText is null)
            {
                return;
            }

            use.InFlight = true;
            use.Message = null;
            use.Refused = false;
            redemptionId = use.PendingRedemptionId ??= "desk-" + Guid.NewGuid().ToString("N");
            qrText = scan.QrText;
        }

        try
        {
            var response = await clients.Verification.RedeemAsync(
                new RedeemRequest { QrText = qrText, BenefitCode = benefitCode, RedemptionId = redemptionId }, user.Call());
            lock (desk.Gate)
            {
                use.PendingRedemptionId = null;
                if (response.Entitlement is not null)
                {
                    use.Entitlement = response.Entitlement;
                }

                if (response.Status is RedemptionStatus.Redeemed or RedemptionStatus.AlreadyRedeemed)
                {
                    use.Recorded = response.Redemption;
                }
                else
                {
                    use.Refused = true;
                    use.Message = text["Refused." + Names.Of(response.Status)];
                }
            }
        }
        catch (RpcException ex)
        {
            var problem = ServiceProblem.From(ex, text);
            lock (desk.Gate)
            {
                use.Message = problem.OutcomeUnknown ? text["Use.Unconfirmed"] : problem.Message;
                if (!problem.OutcomeUnknown)
                {
                    use.PendingRedemptionId = null;
                }
            }
        }
        finally
        {
            lock (desk.Gate)
            {
                use.InFlight = false;
                scan.LastActivity = time.GetUtcNow();
            }
        }
    }

    /// <summary>True when this terminal may still cancel the use (its own, not cancelled, under 24 h old).</summary>
    public bool CanCancel(BenefitUse use) =>
        use.Recorded is { Cancelled: false } r && time.GetUtcNow() - r.RedeemTime.ToDateTimeOffset() < CancelWindow;

    /// <summary>Cancels a use this terminal recorded; returns what went wrong, or null when it is cancelled.</summary>
    public async Task<string?> CancelUseAsync(WebUser user, string redemptionId, string reason)
    {
        var desk = DeskOf(user);
        if (desk.FindUse(redemptionId) is not var (scan, use) || !CanCancel(use))
        {
            return text["Cancel.NotPossible"];
        }

        try
        {
            var response = await clients.Verification.CancelRedemptionAsync(
                new CancelRedemptionRequest { RedemptionId = redemptionId, Reason = reason.Trim() }, user.Call());
            lock (desk.Gate)
            {
                use.Recorded = response.Redemption;
                scan.LastActivity = time.GetUtcNow();
            }

            return null;
        }
        catch (RpcException ex)
        {
            return ServiceProblem.From(ex, text).Message;
        }
    }
}
