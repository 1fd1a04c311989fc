using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.Verification.Audit;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>The holder's list is derived from audit records alone (so it can be rebuilt): what each record gives.</summary>
public sealed class CardVerificationNoteTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public void A_trusted_verify_gives_its_card_agency_and_outcome()
    {
        var note = Note("Verify", "LC260000012", "EXPIRED", CardVerificationNote.Detail("desk-1", [0xAB, 0x01], "ab12", false, null, null, null));

        Assert.Equal(new CardVerificationNote(9, At, "LC260000012", "HOSP_PEOPLE", "EXPIRED", "VERIFY", null), note);
    }

    [Fact]
    public void A_redeem_gives_the_verification_outcome_and_the_benefit_not_the_redemption_status()
    {
        var detail = CardVerificationNote.Detail("desk-1", null, "ab12", false, "ANNUAL_HEALTH_CHECK", "r-42", "VALID");
        Assert.Equal("terminal=desk-1 kid=ab12 benefit=ANNUAL_HEALTH_CHECK redemption=r-42 verification=VALID", detail);

        var note = Note("Redeem", "LC260000012", "QUOTA_EXHAUSTED", detail);

        Assert.Equal(new CardVerificationNote(9, At, "LC260000012", "HOSP_PEOPLE", "VALID", "REDEEM", "ANNUAL_HEALTH_CHECK"), note);
    }

    [Theory]
    [InlineData("Verify", null, "terminal=desk-1")]                                       // nothing decodable: no card
    [InlineData("Verify", "LC260000012", "terminal=desk-1 kid=ab12 card=unverified")]      // the number of a forged or unknown-key card
    [InlineData("Redeem", "LC260000012", "terminal=desk-1 kid=ab12 card=unverified benefit=X redemption=r verification=SIGNATURE_INVALID")]
    [InlineData("CancelRedemption", "LC260000012", "terminal=desk-1 redemption=r benefit=X")] // cancellations are not verifications
    public void Records_without_a_trusted_card_verify_give_no_note(string action, string? target, string detail) =>
        Assert.Null(Note(action, target, "VALID", detail));

    [Fact]
    public void A_terminal_name_that_looks_like_the_words_after_it_changes_nothing()
    {
        // The terminal is free text and comes first; the words read from the end stop at kid=.
        var detail = CardVerificationNote.Detail("front desk card=unverified benefit=FAKE", [1], "ab12", false, null, null, null);

        var note = Note("Verify", "LC260000012", "VALID", detail);

        Assert.Equal(new CardVerificationNote(9, At, "LC260000012", "HOSP_PEOPLE", "VALID", "VERIFY", null), note);
    }

    private static CardVerificationNote? Note(string action, string? target, string outcome, string detail) => CardVerificationNote.Of(new AuditRecord
    {
        Sequence = 9, OccurredAt = At, Principal = "agency_terminal:HOSP_PEOPLE/desk-1", Agency = "HOSP_PEOPLE", Action = action,
        Target = target, Outcome = outcome, Detail = detail, PreviousHash = AuditChain.GenesisHash, Hash = "",
    });
}
