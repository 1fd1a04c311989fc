using System.Collections.Concurrent;
using Lingcheng.Talent.V1;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Web.Services;

/// <summary>Settings of the desk (<c>Desk</c> section).</summary>
public sealed class DeskOptions
{
    /// <summary>Seconds after the last action before the verdict clears for the next card.</summary>
    public int ResetAfterSeconds { get; set; } = 30;

    /// <summary>Ask for the holder's photo on each verify.</summary>
    public bool ShowPhoto { get; set; } = true;

    /// <summary>A verdict whose card state is older than this many seconds carries the "registry unreachable" note.</summary>
    public int StaleStateSeconds { get; set; } = 30;

    /// <summary>How many scans a terminal's recent list keeps.</summary>
    public int RecentScans { get; set; } = 20;
}

/// <summary>
/// Each terminal's desk, kept in the web app's memory and shared by every tab of that terminal: the
/// scan on screen and the recent scans with the uses recorded. A reload finds the same verdict and,
/// for a use whose answer was lost, the same redemption id to retry with; a restart of the web app
/// forgets them (the uses themselves are in the entitlement service).
/// </summary>
public sealed class TerminalDesks(IOptions<DeskOptions> options)
{
    private readonly ConcurrentDictionary<(string Agency, string Terminal), TerminalDesk> _desks = new();

    public TerminalDesk For(string agency, string terminal) =>
        _desks.GetOrAdd((agency, terminal), _ => new TerminalDesk(Math.Max(1, options.Value.RecentScans)));
}

/// <summary>One terminal's scans, newest first. Every member locks; the scans' own state is changed under the same lock.</summary>
public sealed class TerminalDesk(int capacity)
{
    private readonly List<DeskScan> _recent = [];
    private long _lastNumber;
    private bool _cleared = true;

    internal object Gate { get; } = new();

    /// <summary>The scan on screen, or null when the desk is ready for the next card.</summary>
    public DeskScan? Current
    {
        get
        {
            lock (Gate)
            {
                return _cleared ? null : _recent.FirstOrDefault();
            }
        }
    }

    /// <summary>The recent scans, newest first.</summary>
    public IReadOnlyList<DeskScan> Recent
    {
        get
        {
            lock (Gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Puts a new scan on screen; the previous one forgets its QR text (no use can be recorded from it any more).</summary>
    public DeskScan Add(DateTimeOffset time, string? qrText)
    {
        lock (Gate)
        {
            foreach (var old in _recent)
            {
                old.QrText = null;
            }

            var scan = new DeskScan(++_lastNumber, time) { QrText = qrText, LastActivity = time };
            _recent.Insert(0, scan);
            if (_recent.Count > capacity)
            {
                _recent.RemoveAt(_recent.Count - 1);
            }

            _cleared = false;
            return scan;
        }
    }

    /// <summary>Clears the screen for the next card, unless a newer scan or action came after <paramref name="scanNumber"/> was shown.</summary>
    public void Clear(long scanNumber)
    {
        lock (Gate)
        {
            if (_recent.FirstOrDefault()?.Number == scanNumber)
            {
                _cleared = true;
                _recent[0].QrText = null;
            }
        }
    }

    /// <summary>Finds a recorded use of this terminal by its redemption id.</summary>
    public (DeskScan Scan, BenefitUse Use)? FindUse(string redemptionId)
    {
        lock (Gate)
        {
            foreach (var scan in _recent)
            {
                foreach (var use in scan.Uses.Values)
                {
                    if (use.Recorded?.RedemptionId == redemptionId)
                    {
                        return (scan, use);
                    }
                }
            }

            return null;
        }
    }
}

/// <summary>One scan at a desk and what was done with it.</summary>
public sealed class DeskScan(long number, DateTimeOffset time)
{
    /// <summary>Increases with each scan at the terminal; pages and tests tell verdicts apart by it.</summary>
    public long Number { get; } = number;

    public DateTimeOffset Time { get; } = time;

    /// <summary>The scanned text, kept only while the scan is on screen (to record uses from it).</summary>
    internal string? QrText { get; set; }

    /// <summary>The service's answer; null when the scan was refused before asking (too long) or the service failed.</summary>
    public VerifyResponse? Response { get; internal set; }

    /// <summary>Set when the text was not sent: it is longer than any card's QR.</summary>
    public int? TooLongLength { get; internal set; }

    /// <summary>Set when the verification service could not answer.</summary>
    public ServiceProblem? Problem { get; internal set; }

    /// <summary>The agency's benefits as shown, with what was recorded for each, by benefit code.</summary>
    public Dictionary<string, BenefitUse> Uses { get; } = new(StringComparer.Ordinal);

    /// <summary>Last verify, use or cancel on this scan; the desk clears a while after it.</summary>
    public DateTimeOffset LastActivity { get; internal set; }

    public VerificationOutcome Outcome => Response?.Outcome ?? VerificationOutcome.Unspecified;
}

/// <summary>One of the agency's benefits on a scan: the entitlement shown and the use recorded or being recorded.</summary>
public sealed class BenefitUse(Entitlement entitlement)
{
    public Entitlement Entitlement { get; internal set; } = entitlement;

    /// <summary>A Record use call is running; further clicks are ignored.</summary>
    public bool InFlight { get; internal set; }

    /// <summary>The id of an attempt whose answer was lost: the next click retries with it, so it records at most once.</summary>
    public string? PendingRedemptionId { get; internal set; }

    /// <summary>The use recorded from this scan.</summary>
    public Redemption? Recorded { get; internal set; }

    /// <summary>The service's refusal (quota used up, tier …), or the problem of the last attempt.</summary>
    public string? Message { get; internal set; }

    public bool Refused { get; internal set; }
}
