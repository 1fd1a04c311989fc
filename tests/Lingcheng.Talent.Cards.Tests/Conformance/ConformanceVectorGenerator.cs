using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Conformance;
using Lingcheng.Talent.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lingcheng.Talent.Cards.Tests.Conformance;

/// <summary>A file the generator writes, by its path relative to the repository root (with '/').</summary>
internal sealed record GeneratedFile(string Path, byte[] Content);

/// <summary>
/// Builds the conformance vectors of <c>docs/conformance/v1</c> and the hex of the worked example in
/// <c>docs/card-token.md</c>, with the card library itself (issuer, snapshot codec, QR renderer) and
/// with hand-made COSE for what the issuer refuses to make.
/// </summary>
/// <remarks>
/// Regeneration is repeatable: keys come from fixed seeds, times and token ids are fixed, and since
/// ECDSA signatures are randomised, a signature already committed is kept whenever the bytes it signs
/// are unchanged (and it still verifies). Running the generator on an up-to-date tree therefore
/// changes nothing, and a change to the format changes exactly the vectors it affects. Before writing,
/// every case is verified with <see cref="OfflineVerifier"/> and must give its stated outcome.
/// </remarks>
internal sealed partial class ConformanceVectorGenerator : IDisposable
{
    /// <summary>The clock of every vector: 2026-03-02T01:30:00Z (09:30 in Lingcheng).</summary>
    public static readonly DateTimeOffset VerificationTime = new(2026, 3, 2, 1, 30, 0, TimeSpan.Zero);

    private const int SkewSeconds = 60;
    private const int PngPixelsPerModule = 6;
    private const string Name = "张*明";

    private static readonly DateTimeOffset Key1From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Key2From = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Key2Until = Key1From;
    private static readonly DateTimeOffset StaticIssuedAt = new(2026, 2, 27, 2, 0, 0, TimeSpan.Zero);

    // One card per role in the story; the numbers carry valid MOD 11-2 check characters.
    private static readonly string CardInForce = CardNumber.Create(26, 101);
    private static readonly string CardRevoked = CardNumber.Create(26, 102);
    private static readonly string CardSuspended = CardNumber.Create(26, 103);
    private static readonly string CardReissued = CardNumber.Create(26, 104);
    private static readonly string CardRevokedAfterReissue = CardNumber.Create(26, 105);
    private static readonly string CardRevokedByDelta = CardNumber.Create(26, 106);
    private static readonly string Card2025 = CardNumber.Create(25, 201);
    private static readonly string Card2023 = CardNumber.Create(23, 301);
    private static readonly string Card2023Suspended = CardNumber.Create(23, 302);

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ConformanceKey _key1 = ConformanceKey.Create(1, "ACTIVE in every vector's trust list, valid from 2026-01-01T00:00:00Z; signs the tokens and the revocation snapshots.");
    private readonly ConformanceKey _key2 = ConformanceKey.Create(2, "RETIRED in every vector's trust list: it signed from 2023-01-01T00:00:00Z until 2026-01-01T00:00:00Z.");
    private readonly ConformanceKey _key3 = ConformanceKey.Create(3, "In no trust list: what it signs names an unknown kid.");
    private readonly string _root;
    private readonly Dictionary<string, List<byte[]>> _previousCose = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _previousPng = new(StringComparer.Ordinal);
    private readonly List<Case> _cases = [];
    private readonly TrustList _trust;
    private Snapshot _held = null!;
    private Snapshot _delta = null!;
    private Snapshot _older = null!;

    public ConformanceVectorGenerator(string repositoryRoot)
    {
        _root = repositoryRoot;
        _trust = new TrustList(
            _key1.Trusted(TrustedKeyStatus.Active, Key1From),
            _key2.Trusted(TrustedKeyStatus.Retired, Key2From, Key2Until));
        ReadPrevious();
    }

    /// <summary>Where the vectors go, relative to the repository root.</summary>
    public static string VersionPath => "docs/conformance/" + ConformanceVectors.Version;

    /// <summary>Builds every case, checks it with the library and returns the files to write.</summary>
    public IReadOnlyList<GeneratedFile> Generate()
    {
        BuildSnapshots();
        BuildCases();
        var files = new List<GeneratedFile>();
        foreach (var c in _cases)
        {
            Check(c);
            var png = Png(c);
            files.Add(new GeneratedFile($"{VersionPath}/cases/{c.Id}.png", png));
            files.Add(new GeneratedFile($"{VersionPath}/cases/{c.Id}.json", Json(w => WriteCase(w, c))));
        }

        files.Add(new GeneratedFile($"{VersionPath}/index.json", Json(WriteIndex)));
        files.Add(new GeneratedFile($"{VersionPath}/keys.json", Json(WriteKeys)));
        files.Add(new GeneratedFile("docs/card-token.md", Encoding.UTF8.GetBytes(WorkedExampleDoc())));
        files.Add(new GeneratedFile("docs/conformance/README.md", Encoding.UTF8.GetBytes(ReadmeWithCaseTable())));
        return files;
    }

    public void Dispose()
    {
        _key1.Dispose();
        _key2.Dispose();
        _key3.Dispose();
    }

    private void BuildSnapshots()
    {
        // The verifier holds a full snapshot at sequence 42; a delta brings it to 45; an older full
        // snapshot (sequence 30, from before the card was revoked) is what a rollback would offer.
        _held = SignSnapshot(new RevocationSnapshot(CardToken.Issuer, 42, VerificationTime.AddMinutes(-10), null,
        [
            new(CardRevoked, RevocationStatus.Revoked, 1),
            new(CardSuspended, RevocationStatus.Suspended, 1),
            new(CardReissued, RevocationStatus.Cleared, 2),
            new(CardRevokedAfterReissue, RevocationStatus.Revoked, 2),
            new(Card2023Suspended, RevocationStatus.Suspended, 1),
        ]));
        _delta = SignSnapshot(new RevocationSnapshot(CardToken.Issuer, 45, VerificationTime.AddMinutes(-5), 42,
        [
            new(CardRevokedByDelta, RevocationStatus.Revoked, 1),
            new(CardSuspended, RevocationStatus.Cleared, 1),
        ]));
        _older = SignSnapshot(new RevocationSnapshot(CardToken.Issuer, 30, VerificationTime.AddDays(-2), null,
        [
            new(CardSuspended, RevocationStatus.Suspended, 1),
            new(CardReissued, RevocationStatus.Cleared, 2),
            new(CardRevokedAfterReissue, RevocationStatus.Revoked, 2),
            new(Card2023Suspended, RevocationStatus.Suspended, 1),
        ]));
    }

    private void BuildCases()
    {
        var now = VerificationTime;

        // Genuine tokens.
        var validStatic = Claims("valid-static", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        var validStaticText = Sign(_key1, validStatic);
        Add("valid-static", "A printed card's static token", validStaticText, TokenOutcome.Valid, validStatic, _key1,
            "The static token printed on a card (kind 1, exp = the card's expiry), signed by the active key, for a card that has no entry in the revocation snapshot.");

        var dynamic = Claims("valid-dynamic", CardInForce, now.AddSeconds(-30), now.AddSeconds(90), TokenKind.Dynamic);
        Add("valid-dynamic", "A phone's dynamic token", Sign(_key1, dynamic), TokenOutcome.Valid, dynamic, _key1,
            "A dynamic token (kind 2) shown by the holder's phone: issued 30 s before the verification time, exp 120 s after issue.");

        var largest = Claims("valid-largest-holder-name", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3), name: "欧**明");
        var largestText = Sign(_key1, largest);
        if (largestText.Length != CardToken.MaxQrTextLengthVersion11Q || QrCodes.GetVersion(largestText) != 11)
        {
            throw new InvalidOperationException($"The largest-name token is {largestText.Length} characters, QR version {QrCodes.GetVersion(largestText)}.");
        }

        Add("valid-largest-holder-name", "The longest holder name that fits QR version 11", largestText, TokenOutcome.Valid, largest, _key1,
            "Holder display name 欧**明 (8 bytes of UTF-8, the most that fits): 169 bytes of COSE, 259 characters of QR text, QR version 11 at level Q, the largest the issuer makes. Verifiers must not reject a token for its size below their maximum (reference: 1024 characters).");

        Add("valid-trailing-crlf", "A keyboard-wedge scanner's trailing CR LF", validStaticText + "\r\n", TokenOutcome.Valid, validStatic, _key1,
            "The static token followed by CR LF, as many keyboard-wedge scanners type it. A verifier removes trailing CR and LF (neither is a Base45 character, so nothing else changes) and verifies the rest.");

        var extra = Claims("valid-unknown-claims-ignored", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("valid-unknown-claims-ignored", "Claims of unknown keys are ignored", Text(SignPayload(_key1, ClaimsMap(extra, extraClaims: true))), TokenOutcome.Valid, extra, _key1,
            "The claims map carries two more claims, -70099 (an integer key) and \"note\" (a text key), after the known ones. RFC 8392: a verifier ignores claims it does not know, and the signature still covers them.");

        var reissuedCurrent = Claims("valid-reissued-current-version", CardReissued, StaticIssuedAt, StaticIssuedAt.AddYears(3), version: 2);
        Add("valid-reissued-current-version", "The current version of a re-issued card", Sign(_key1, reissuedCurrent), TokenOutcome.Valid, reissuedCurrent, _key1,
            $"Card {CardReissued} was re-issued: the snapshot lists it as cleared (status 3) with minimum valid version 2. This token is of version 2, so it is in force.");

        var retiredInside = Claims("valid-retired-key-inside-window", Card2025, new DateTimeOffset(2025, 6, 2, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2028, 6, 2, 1, 0, 0, TimeSpan.Zero));
        Add("valid-retired-key-inside-window", "A retired key's token signed inside its window", Sign(_key2, retiredInside), TokenOutcome.Valid, retiredInside, _key2,
            "Signed by conformance-test-key-2, RETIRED in the trust list with the window 2023-01-01T00:00:00Z to 2026-01-01T00:00:00Z; iat 2025-06-02 lies inside it. Printed cards outlive key rotations: a retired key's tokens from its window stay valid.");

        var retiredLast = Claims("valid-retired-key-last-second", Card2025, Key2Until, Key2Until.AddYears(3));
        Add("valid-retired-key-last-second", "iat exactly at a retired key's valid_until", Sign(_key2, retiredLast), TokenOutcome.Valid, retiredLast, _key2,
            "iat = 2026-01-01T00:00:00Z, exactly the retired key's validUntil. The window is closed at both ends and compared in whole seconds, without clock skew.");

        var firstSecond = Claims("valid-key-first-second", CardInForce, Key1From, Key1From.AddYears(3));
        Add("valid-key-first-second", "iat exactly at the active key's valid_from", Sign(_key1, firstSecond), TokenOutcome.Valid, firstSecond, _key1,
            "iat = 2026-01-01T00:00:00Z, exactly conformance-test-key-1's validFrom: inside the window.");

        // Text, prefix and Base45.
        var body = validStaticText[CardToken.Prefix.Length..];
        var lower = body.IndexOfAny("ABCDEFGHIJKLMNOPQRSTUVWXYZ".ToCharArray());
        Add("malformed-base45-lower-case", "A lower-case letter in the Base45 text", CardToken.Prefix + body[..lower] + char.ToLowerInvariant(body[lower]) + body[(lower + 1)..], TokenOutcome.Malformed, null, null,
            $"The static token with its character {lower + CardToken.Prefix.Length} ('{body[lower]}') in lower case. Base45 (RFC 9285) has no lower case; a decoder that folds case would give one token two spellings.");

        Add("malformed-base45-triple-overflow", "A Base45 triple worth more than 65535", CardToken.Prefix + "GGW" + body[3..], TokenOutcome.Malformed, null, null,
            "The first three characters after the prefix are GGW: 16 + 45·16 + 45²·32 = 65536, one more than two bytes can hold. RFC 9285 §4.2: reject, do not wrap.");

        Add("malformed-base45-length", "A Base45 text of length 1 (mod 3)", validStaticText + "0", TokenOutcome.Malformed, null, null,
            "The static token with one more character: 253 characters after the prefix. No byte string encodes to a length of 1 modulo 3.");

        Add("malformed-wrong-prefix", "Another scheme's prefix", "HC1:" + body, TokenOutcome.Malformed, null, null,
            "The Base45 body of a valid token behind HC1: (the EU certificate prefix). Only LCT<digits>: is a card token prefix; anything else is MALFORMED.");

        Add("malformed-lower-case-prefix", "The prefix in lower case", "lct1:" + body, TokenOutcome.Malformed, null, null,
            "lct1: is not LCT1:. The prefix is compared exactly; lower case is MALFORMED, not UNSUPPORTED_VERSION.");

        Add("malformed-prefix-only", "The prefix and nothing else", CardToken.Prefix, TokenOutcome.Malformed, null, null,
            "LCT1: with an empty body: there is no COSE message.");

        Add("unsupported-version-lct2", "A later format version", "LCT2:" + body, TokenOutcome.UnsupportedVersion, null, null,
            "LCT2: followed by a body. LCT and other digits then a colon is a later format this version cannot read: UNSUPPORTED_VERSION (update the verifier), not MALFORMED.");

        var es384 = Claims("unsupported-algorithm-es384", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("unsupported-algorithm-es384", "Signed with ES384 instead of ES256", Text(SignPayload(_key1, ClaimsMap(es384), HashAlgorithmName.SHA384)), TokenOutcome.UnsupportedVersion, null, null,
            "The protected header says alg -35 (ES384, here over the same P-256 key). Only -7 (ES256) is version 1; any other alg is UNSUPPORTED_VERSION, decided before any key is looked up.");

        var validCose = Cose(validStaticText);
        Add("malformed-untagged-cose", "A COSE_Sign1 without its CBOR tag", Text(validCose.AsSpan(1)), TokenOutcome.Malformed, null, null,
            "The valid static token's COSE_Sign1 without the leading tag 18 (0xD2). The message must be tagged.");

        var unprotectedHeaders = new CoseHeaderMap();
        unprotectedHeaders.Add(new CoseHeaderLabel(-70000), "not signed");
        var unprotectedClaims = Claims("malformed-unprotected-header", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("malformed-unprotected-header", "Something in the unprotected header", Text(SignPayload(_key1, ClaimsMap(unprotectedClaims), unprotectedHeaders: unprotectedHeaders)), TokenOutcome.Malformed, null, null,
            "A correctly signed token whose unprotected header holds {-70000: \"not signed\"}. The unprotected header must be the empty map: it is not signed, and allowing content would give one token several encodings.");

        Add("malformed-revocation-snapshot-as-token", "A revocation snapshot passed off as a token", CardToken.Prefix + Base45.Encode(_held.Cose), TokenOutcome.Malformed, null, null,
            "The held revocation snapshot's bytes behind LCT1:. It is signed by a trusted key, but its protected header also holds label 3 (content type): a token's protected header holds exactly alg and kid.");

        var missing = Claims("malformed-missing-cti", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("malformed-missing-cti", "A required claim missing", Text(SignPayload(_key1, ClaimsMap(missing, omit: CardToken.ClaimKeys.TokenId))), TokenOutcome.Malformed, null, null,
            "Correctly signed, but the claims map has no claim 7 (cti). Every claim but nbf is required.");

        var badTier = Claims("malformed-tier-out-of-range", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("malformed-tier-out-of-range", "A claim value out of range", Text(SignPayload(_key1, ClaimsMap(badTier, tier: 5))), TokenOutcome.Malformed, null, null,
            "Correctly signed, but claim -70002 (tier) is 5; tiers are 1 to 4. The claims map is checked before the signature, so this is MALFORMED.");

        // Keys and signatures.
        var foreign = Claims("unknown-kid", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("unknown-kid", "Signed by a key not in the trust list", Sign(_key3, foreign), TokenOutcome.UnknownKey, null, null,
            "A well-formed token signed by conformance-test-key-3, whose kid is in no trust list.");

        var otherIssuer = Claims("unknown-issuer", CardInForce, StaticIssuedAt, StaticIssuedAt.AddYears(3), issuer: "CN-000000-TEST");
        Add("unknown-issuer", "Another issuer", Sign(_key1, otherIssuer), TokenOutcome.UnknownKey, null, null,
            "Signed by the trusted key, but claim 1 (iss) is CN-000000-TEST, not CN-371403-HRSS. The issuer is checked before the kid and the signature.");

        var flipped = (byte[])validCose.Clone();
        flipped[^1] ^= 0x01;
        Add("signature-invalid-flipped-bit", "One bit of the signature changed", Text(flipped), TokenOutcome.SignatureInvalid, null, null,
            "The valid static token with the lowest bit of the signature's last byte flipped.");

        var altered = (byte[])validCose.Clone();
        var tierAt = validCose.AsSpan().IndexOf(TierClaimBytes(Tier.B));
        altered[tierAt + 5] = (byte)Tier.A;
        Add("signature-invalid-altered-claim", "A claim changed after signing", Text(altered), TokenOutcome.SignatureInvalid, null, null,
            "The valid static token with claim -70002 (tier) changed from 2 (B) to 1 (A) and the signature kept. The claims still decode; the signature does not verify.");

        // The genuine token of the "revoked" case, its signature altered.
        var revoked = Claims("revoked", CardRevoked, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        var revokedText = Sign(_key1, revoked);
        var forged = Cose(revokedText);
        forged[^1] ^= 0x01;
        Add("signature-invalid-revoked-card", "A forged token names a revoked card", Text(forged), TokenOutcome.SignatureInvalid, null, null,
            $"A token for {CardRevoked}, which the snapshot lists as revoked, with a bad signature. Card state applies only to a token whose signature verified: a forger learns nothing about a card's state, so the outcome is SIGNATURE_INVALID, not REVOKED.");

        var afterRetirement = Claims("unknown-key-retired-before-iat", Card2025, now.AddDays(-1), now.AddDays(-1).AddYears(3));
        Add("unknown-key-retired-before-iat", "A key retired before the token's iat", Sign(_key2, afterRetirement), TokenOutcome.UnknownKey, afterRetirement, _key2,
            "Signed by conformance-test-key-2 with iat 2026-03-01, two months after the key was retired (validUntil 2026-01-01T00:00:00Z). The signature is sound, but a retired key that still signs (leaked, or a misconfigured signer) earns no trust for what it signs afterwards.");

        var secondAfter = Claims("unknown-key-one-second-after-retirement", Card2025, Key2Until.AddSeconds(1), Key2Until.AddSeconds(1).AddYears(3));
        Add("unknown-key-one-second-after-retirement", "iat one second after a retired key's window", Sign(_key2, secondAfter), TokenOutcome.UnknownKey, secondAfter, _key2,
            "iat = 2026-01-01T00:00:01Z, one second after conformance-test-key-2's validUntil. No clock skew applies to key windows.");

        var beforeFrom = Claims("unknown-key-before-valid-from", Card2025, Key1From.AddSeconds(-1), Key1From.AddYears(3));
        Add("unknown-key-before-valid-from", "iat one second before the key's window", Sign(_key1, beforeFrom), TokenOutcome.UnknownKey, beforeFrom, _key1,
            "Signed by conformance-test-key-1 with iat 2025-12-31T23:59:59Z, one second before its validFrom. A key cannot sign tokens dated before it existed.");

        // Times and clock skew (60 s). iat and nbf pass while they are at most now + 60 s; exp passes while now < exp + 60 s.
        var iatInside = Claims("skew-iat-60s-ahead", CardInForce, now.AddSeconds(SkewSeconds), now.AddSeconds(SkewSeconds).AddYears(3));
        Add("skew-iat-60s-ahead", "iat exactly 60 s after the verifier's clock", Sign(_key1, iatInside), TokenOutcome.Valid, iatInside, _key1,
            "iat = verification time + 60 s: inside the allowed skew (iat ≤ now + 60 s), so a verifier whose clock is a minute slow still accepts a fresh token.");

        var iatOutside = Claims("not-yet-valid-iat-61s-ahead", CardInForce, now.AddSeconds(SkewSeconds + 1), now.AddSeconds(SkewSeconds + 1).AddYears(3));
        Add("not-yet-valid-iat-61s-ahead", "iat 61 s after the verifier's clock", Sign(_key1, iatOutside), TokenOutcome.NotYetValid, iatOutside, _key1,
            "iat = verification time + 61 s: one second beyond the skew. NOT_YET_VALID tells the desk to check the clocks.");

        var nbfInside = Claims("skew-nbf-60s-ahead", CardInForce, now.AddHours(-1), now.AddHours(-1).AddYears(3), notBefore: now.AddSeconds(SkewSeconds));
        Add("skew-nbf-60s-ahead", "nbf exactly 60 s after the verifier's clock", Sign(_key1, nbfInside), TokenOutcome.Valid, nbfInside, _key1,
            "A token with the optional claim 5 (nbf) = verification time + 60 s: inside the skew.");

        var nbfOutside = Claims("not-yet-valid-nbf-61s-ahead", CardInForce, now.AddHours(-1), now.AddHours(-1).AddYears(3), notBefore: now.AddSeconds(SkewSeconds + 1));
        Add("not-yet-valid-nbf-61s-ahead", "nbf 61 s after the verifier's clock", Sign(_key1, nbfOutside), TokenOutcome.NotYetValid, nbfOutside, _key1,
            "nbf = verification time + 61 s, iat an hour earlier: NOT_YET_VALID because of nbf.");

        var expInside = Claims("skew-exp-59s-past", CardInForce, now.AddSeconds(-179), now.AddSeconds(-59), TokenKind.Dynamic);
        Add("skew-exp-59s-past", "A dynamic token 59 s past its exp", Sign(_key1, expInside), TokenOutcome.Valid, expInside, _key1,
            "Dynamic token issued 179 s before the verification time with the default 120 s life: exp = now − 59 s. now < exp + 60 s, so it is still valid.");

        var expOutside = Claims("token-expired-60s-past", CardInForce, now.AddSeconds(-180), now.AddSeconds(-60), TokenKind.Dynamic);
        Add("token-expired-60s-past", "A dynamic token exactly 60 s past its exp", Sign(_key1, expOutside), TokenOutcome.TokenExpired, expOutside, _key1,
            "Dynamic token issued 180 s before the verification time: exp = now − 60 s, and now < exp + 60 s no longer holds (RFC 8392: exp is the first instant at which the token is refused). A dynamic token's expiry is TOKEN_EXPIRED: the holder refreshes the phone's QR.");

        var tokenExpired = Claims("token-expired", CardInForce, now.AddMinutes(-10), now.AddMinutes(-8), TokenKind.Dynamic);
        Add("token-expired", "A dynamic token from ten minutes ago", Sign(_key1, tokenExpired), TokenOutcome.TokenExpired, tokenExpired, _key1,
            "Dynamic token issued 10 minutes before the verification time (a screenshot, say).");

        var cardExpired = Claims("card-expired", Card2023, new DateTimeOffset(2023, 2, 20, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 20, 2, 0, 0, TimeSpan.Zero));
        Add("card-expired", "A card past its expiry", Sign(_key2, cardExpired), TokenOutcome.Expired, cardExpired, _key2,
            "A static token printed in 2023 under conformance-test-key-2 (inside its window) for a card that expired on 2026-02-20. A static token's exp is the card's expiry: EXPIRED (renew the card), not TOKEN_EXPIRED.");

        // Card state from the snapshot (only for tokens whose signature verified).
        Add("revoked", "A card revoked in the snapshot", revokedText, TokenOutcome.Revoked, revoked, _key1,
            $"A genuine, in-date static token for {CardRevoked}, which the held snapshot lists with status 1 (revoked).");

        var suspended = Claims("suspended", CardSuspended, now.AddSeconds(-30), now.AddSeconds(90), TokenKind.Dynamic);
        Add("suspended", "A card suspended in the snapshot", Sign(_key1, suspended), TokenOutcome.Suspended, suspended, _key1,
            $"A genuine dynamic token for {CardSuspended}, which the held snapshot lists with status 2 (suspended).");

        var superseded = Claims("superseded", CardReissued, new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2029, 1, 5, 2, 0, 0, TimeSpan.Zero));
        Add("superseded", "An older version of a re-issued card", Sign(_key1, superseded), TokenOutcome.Superseded, superseded, _key1,
            $"A genuine token of version 1 of {CardReissued}, whose snapshot entry is cleared with minimum valid version 2 (the card was re-issued after a loss). A found old card must not work.");

        var revokedOld = Claims("revoked-outranks-superseded", CardRevokedAfterReissue, new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2029, 1, 5, 2, 0, 0, TimeSpan.Zero));
        Add("revoked-outranks-superseded", "A superseded version of a revoked card", Sign(_key1, revokedOld), TokenOutcome.Revoked, revokedOld, _key1,
            $"A version-1 token of {CardRevokedAfterReissue}, listed as revoked with minimum valid version 2. REVOKED comes first: it is final, whatever the version or dates.");

        var suspendedExpired = Claims("suspended-outranks-expired", Card2023Suspended, new DateTimeOffset(2023, 2, 20, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 20, 2, 0, 0, TimeSpan.Zero));
        Add("suspended-outranks-expired", "An expired token of a suspended card", Sign(_key2, suspendedExpired), TokenOutcome.Suspended, suspendedExpired, _key2,
            $"A static token of {Card2023Suspended} that expired on 2026-02-20; the card is suspended in the snapshot. Card state (REVOKED, SUPERSEDED, SUSPENDED) outranks the token's own time outcome.");

        var byDelta = Claims("revoked-by-delta", CardRevokedByDelta, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("revoked-by-delta", "A card revoked in a delta", Sign(_key1, byDelta), TokenOutcome.Revoked, byDelta, _key1,
            $"{CardRevokedByDelta} has no entry in the held snapshot (sequence 42); the delta from 42 to 45 in revocationUpdates revokes it. Apply the delta, then verify.",
            updates: [_delta]);

        var reinstated = Claims("reinstated-by-delta", CardSuspended, now.AddSeconds(-30), now.AddSeconds(90), TokenKind.Dynamic);
        Add("reinstated-by-delta", "A suspended card reinstated in a delta", Sign(_key1, reinstated), TokenOutcome.Valid, reinstated, _key1,
            $"{CardSuspended} is suspended in the held snapshot; the delta in revocationUpdates lists it as cleared with minimum version 1, which removes its entry: the card is in force again.",
            updates: [_delta]);

        var rollback = Claims("snapshot-rollback", CardRevoked, StaticIssuedAt, StaticIssuedAt.AddYears(3));
        Add("snapshot-rollback", "An older full snapshot offered after a newer one", Sign(_key1, rollback), TokenOutcome.Valid, rollback, _key1,
            $"The verifier holds the snapshot at sequence 42, in which {CardRevoked} is revoked. It then receives a genuine, correctly signed FULL snapshot at sequence 30 (from two days earlier, before the revocation), e.g. replayed by an attacker or served by a lagging replica. What a verifier must do: keep the snapshot it holds, because a snapshot whose sequence is not above the held one changes nothing (docs/card-token.md §10); the card stays REVOKED. The reference SDK's OfflineVerificationCache.RefreshAsync instead stores a full snapshot it receives whatever its sequence, and then answers VALID: expectedOutcome records that current behaviour, knownDefect the intended one.",
            updates: [_older],
            defect: new KnownDefect(
                "clients/Lingcheng.Talent.Client/Offline/OfflineVerificationCache.cs (RefreshAsync)",
                "REVOKED",
                "The SDK replaces the held snapshot with any full snapshot that verifies, even one with a lower sequence (a rollback), on a delta refresh answered with a full snapshot and on every full refresh. RevocationSnapshot.Apply in the card library ignores it correctly. Until the SDK is fixed, expectedOutcome is VALID; a new implementation should give REVOKED."));
    }

    private void Add(
        string id,
        string title,
        string qrText,
        TokenOutcome expected,
        CardTokenClaims? verifiedClaims,
        ConformanceKey? verifiedBy,
        string description,
        Snapshot[]? updates = null,
        KnownDefect? defect = null)
    {
        if (_cases.Any(c => c.Id == id))
        {
            throw new InvalidOperationException($"Two cases are called {id}.");
        }

        _cases.Add(new Case(id, title, description, qrText, expected, verifiedClaims, verifiedBy, updates ?? [], defect));
    }

    /// <summary>The card library must give each case its stated outcome before the case is written.</summary>
    private void Check(Case c)
    {
        var snapshot = _held.Value;
        foreach (var update in c.Updates)
        {
            snapshot = snapshot.Apply(update.Value);
        }

        var options = new CardTokenVerifierOptions { ClockSkew = TimeSpan.FromSeconds(SkewSeconds) };
        var check = new OfflineVerifier(new FakeTimeProvider(VerificationTime), options).Verify(c.QrText, _trust, snapshot);
        var want = c.Defect?.IntendedOutcome ?? ConformanceVectors.OutcomeName(c.Expected);
        if (ConformanceVectors.OutcomeName(check.Outcome) != want)
        {
            throw new InvalidOperationException($"{c.Id}: the card library says {check.Outcome} ({check.Detail}), the case says {want}.");
        }

        if (c.VerifiedClaims is null ? check.SignatureVerified : !check.SignatureVerified || !c.VerifiedClaims.Equals(check.Claims) || check.KidHex != c.VerifiedBy!.Signer.KidHex)
        {
            throw new InvalidOperationException($"{c.Id}: signature verified = {check.SignatureVerified}, claims {check.Claims}; the case expects {c.VerifiedClaims}.");
        }
    }

    private static CardTokenClaims Claims(
        string caseId,
        string card,
        DateTimeOffset issuedAt,
        DateTimeOffset expiresAt,
        TokenKind kind = TokenKind.Static,
        int version = 1,
        string name = Name,
        DateTimeOffset? notBefore = null,
        string issuer = CardToken.Issuer) =>
        // The token id is fixed per case, so regeneration signs the same bytes.
        new(issuer, card, expiresAt, notBefore, issuedAt, SHA256.HashData(Encoding.UTF8.GetBytes("cti " + caseId))[..CardToken.TokenIdLength], version, Tier.B, name, kind);

    private string Sign(ConformanceKey key, CardTokenClaims claims) => Text(Stable(Cose(CardTokenIssuer.Issue(key.Signer, claims)), key));

    /// <summary>A COSE_Sign1 made by hand: the kid in the protected header (alg added by the signer), any payload.</summary>
    private byte[] SignPayload(ConformanceKey key, byte[] payload, HashAlgorithmName? hash = null, CoseHeaderMap? unprotectedHeaders = null)
    {
        var protectedHeaders = new CoseHeaderMap();
        protectedHeaders.Add(CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(key.Signer.Kid));
        var signer = new CoseSigner(key.Signer.Ecdsa, hash ?? HashAlgorithmName.SHA256, protectedHeaders, unprotectedHeaders);
        return Stable(CoseSign1Message.SignEmbedded(payload, signer), key);
    }

    private Snapshot SignSnapshot(RevocationSnapshot snapshot) =>
        new(snapshot, Stable(RevocationSnapshotCodec.Sign(_key1.Signer, snapshot), _key1));

    /// <summary>
    /// The committed signature over the same bytes when there is one that verifies, else the fresh
    /// one: signatures are randomised, and keeping committed ones keeps regeneration a no-op.
    /// </summary>
    private byte[] Stable(byte[] fresh, ConformanceKey key)
    {
        if (_previousCose.TryGetValue(SignedPartHash(fresh), out var candidates))
        {
            foreach (var previous in candidates)
            {
                if (previous.Length == fresh.Length && Verifies(previous, key))
                {
                    return previous;
                }
            }
        }

        return fresh;
    }

    private static bool Verifies(byte[] cose, ConformanceKey key)
    {
        try
        {
            return CoseMessage.DecodeSign1(cose).VerifyEmbedded(key.Signer.Ecdsa);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or CborContentException)
        {
            return false;
        }
    }

    // Everything but the 64-byte signature at the end of a COSE_Sign1.
    private static string SignedPartHash(byte[] cose) =>
        cose.Length > 64 ? Convert.ToHexString(SHA256.HashData(cose.AsSpan(0, cose.Length - 64))) : "";

    private static byte[] Cose(string qrText) =>
        qrText.StartsWith(CardToken.Prefix, StringComparison.Ordinal) && Base45.TryDecode(qrText.AsSpan(CardToken.Prefix.Length), out var cose)
            ? cose
            : throw new InvalidOperationException("Not an LCT1 text.");

    private static string Text(ReadOnlySpan<byte> cose) => CardToken.Prefix + Base45.Encode(cose);

    private static byte[] TierClaimBytes(Tier tier)
    {
        var writer = new CborWriter(allowMultipleRootLevelValues: true);
        writer.WriteInt32(CardToken.ClaimKeys.Tier);
        writer.WriteInt32((int)tier);
        return writer.Encode();
    }

    /// <summary>The claims map in the issuer's key order, with one claim left out, the tier replaced, or unknown claims added.</summary>
    private static byte[] ClaimsMap(CardTokenClaims c, int? omit = null, int? tier = null, bool extraClaims = false)
    {
        var claims = new List<(int Key, Action<CborWriter> Write)>
        {
            (CardToken.ClaimKeys.Issuer, w => w.WriteTextString(c.Issuer)),
            (CardToken.ClaimKeys.Subject, w => w.WriteTextString(c.CardNumber)),
            (CardToken.ClaimKeys.ExpiresAt, w => w.WriteInt64(c.ExpiresAt.ToUnixTimeSeconds())),
            (CardToken.ClaimKeys.IssuedAt, w => w.WriteInt64(c.IssuedAt.ToUnixTimeSeconds())),
            (CardToken.ClaimKeys.TokenId, w => w.WriteByteString(c.TokenId)),
            (CardToken.ClaimKeys.CardVersion, w => w.WriteInt32(c.CardVersion)),
            (CardToken.ClaimKeys.Tier, w => w.WriteInt32(tier ?? (int)c.Tier)),
            (CardToken.ClaimKeys.HolderDisplayName, w => w.WriteTextString(c.HolderDisplayName)),
            (CardToken.ClaimKeys.Kind, w => w.WriteInt32((int)c.Kind)),
        };
        claims.RemoveAll(x => x.Key == omit);
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(claims.Count + (extraClaims ? 2 : 0));
        foreach (var (key, write) in claims)
        {
            writer.WriteInt32(key);
            write(writer);
        }

        if (extraClaims)
        {
            writer.WriteInt32(-70099);
            writer.WriteInt32(7);
            writer.WriteTextString("note");
            writer.WriteTextString("unknown claims are ignored");
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private byte[] Png(Case c)
    {
        var png = QrCodes.RenderPng(c.QrText, PngPixelsPerModule);
        if (QrImages.Read(png) != c.QrText)
        {
            throw new InvalidOperationException($"{c.Id}: the rendered QR code does not read back as the QR text.");
        }

        // A PNG encoder (zlib) may compress the same pixels differently from one runtime to the next:
        // keep the committed file while it shows the same image.
        if (_previousPng.TryGetValue(c.Id + ".png", out var previous)
            && QrImages.TryDecode(previous, out var old)
            && QrImages.TryDecode(png, out var fresh)
            && old.Width == fresh.Width && old.Height == fresh.Height && old.Rgba.AsSpan().SequenceEqual(fresh.Rgba))
        {
            return previous;
        }

        return png;
    }

    private void ReadPrevious()
    {
        var cases = Path.Combine(_root, VersionPath, "cases");
        if (!Directory.Exists(cases))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(cases, "*.png"))
        {
            _previousPng[Path.GetFileName(file)] = File.ReadAllBytes(file);
        }

        foreach (var file in Directory.EnumerateFiles(cases, "*.json"))
        {
            ConformanceVector vector;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                vector = ConformanceVector.Parse(document.RootElement);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                continue; // an older layout: its signatures are simply not reused
            }

            if (vector.QrText.StartsWith(CardToken.Prefix, StringComparison.Ordinal)
                && Base45.TryDecode(vector.QrText.AsSpan(CardToken.Prefix.Length).TrimEnd("\r\n"), out var cose))
            {
                Remember(cose);
            }

            Remember(vector.HeldSnapshot.Cose);
            foreach (var update in vector.RevocationUpdates)
            {
                Remember(update.Cose);
            }
        }

        void Remember(byte[] cose)
        {
            var key = SignedPartHash(cose);
            if (!_previousCose.TryGetValue(key, out var list))
            {
                _previousCose[key] = list = [];
            }

            list.Add(cose);
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            write(writer);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private void WriteCase(Utf8JsonWriter w, Case c)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("title", c.Title);
        w.WriteString("description", c.Description);
        w.WriteString("qrText", c.QrText);
        w.WriteString("qrPng", c.Id + ".png");
        w.WriteString("verificationTime", TrustListJson.FormatTime(VerificationTime));
        w.WriteNumber("clockSkewSeconds", SkewSeconds);
        w.WritePropertyName("trustList");
        TrustListJson.Write(w, CardToken.Issuer, _trust);
        w.WritePropertyName("revocationSnapshot");
        WriteSnapshot(w, _held);
        w.WriteStartArray("revocationUpdates");
        foreach (var update in c.Updates)
        {
            WriteSnapshot(w, update);
        }

        w.WriteEndArray();
        w.WriteString("expectedOutcome", ConformanceVectors.OutcomeName(c.Expected));
        if (c.VerifiedClaims is { } claims)
        {
            w.WriteStartObject("expectedClaims");
            w.WriteString("kid", c.VerifiedBy!.Signer.KidHex);
            w.WriteString("iss", claims.Issuer);
            w.WriteString("sub", claims.CardNumber);
            w.WriteNumber("exp", claims.ExpiresAt.ToUnixTimeSeconds());
            if (claims.NotBefore is { } nbf)
            {
                w.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
            }
            else
            {
                w.WriteNull("nbf");
            }

            w.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            w.WriteString("cti", claims.TokenIdHex);
            w.WriteNumber("cardVersion", claims.CardVersion);
            w.WriteNumber("tier", (int)claims.Tier);
            w.WriteString("holderDisplayName", claims.HolderDisplayName);
            w.WriteNumber("kind", (int)claims.Kind);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("expectedClaims");
        }

        if (c.Defect is { } defect)
        {
            w.WriteStartObject("knownDefect");
            w.WriteString("component", defect.Component);
            w.WriteString("intendedOutcome", defect.IntendedOutcome);
            w.WriteString("description", defect.Description);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("knownDefect");
        }

        w.WriteEndObject();
    }

    private static void WriteSnapshot(Utf8JsonWriter w, Snapshot snapshot)
    {
        var s = snapshot.Value;
        w.WriteStartObject();
        w.WriteString("cose", Convert.ToBase64String(snapshot.Cose));
        w.WriteStartObject("content");
        w.WriteString("issuer", s.Issuer);
        w.WriteNumber("sequence", s.Sequence);
        w.WriteString("issuedAt", TrustListJson.FormatTime(s.IssuedAt));
        if (s.FromSequence is { } from)
        {
            w.WriteNumber("fromSequence", from);
        }
        else
        {
            w.WriteNull("fromSequence");
        }

        w.WriteStartArray("entries");
        foreach (var entry in s.Entries)
        {
            w.WriteStartObject();
            w.WriteString("cardNumber", entry.CardNumber);
            w.WriteString("status", entry.Status.ToString().ToUpperInvariant());
            w.WriteNumber("minValidVersion", entry.MinValidVersion);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteIndex(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("description", "Conformance vectors of the Lingcheng talent card token (LCT1). See docs/conformance/README.md. Every key in them is a published test key: never trust one in production.");
        w.WriteStartArray("cases");
        foreach (var c in _cases)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteString("file", "cases/" + c.Id + ".json");
            w.WriteString("title", c.Title);
            w.WriteString("expectedOutcome", ConformanceVectors.OutcomeName(c.Expected));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void WriteKeys(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("warning", "TEST KEYS, published with their private scalars so that anyone can check signing code against the vectors. Never trust any of them in production: a trust list holding one of these kids is misconfigured.");
        w.WriteStartArray("keys");
        foreach (var key in new[] { _key1, _key2, _key3 })
        {
            w.WriteStartObject();
            w.WriteString("name", key.Name);
            w.WriteString("description", key.Description);
            w.WriteString("kid", key.Signer.KidHex);
            w.WriteString("seed", key.Seed);
            w.WriteString("privateScalar", Convert.ToHexStringLower(key.PrivateScalar));
            w.WriteString("publicKeyX", Convert.ToHexStringLower(key.PublicKeyX));
            w.WriteString("publicKeyY", Convert.ToHexStringLower(key.PublicKeyY));
            w.WriteString("subjectPublicKeyInfo", Convert.ToBase64String(key.Signer.SubjectPublicKeyInfo));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>docs/card-token.md with the hex of the worked example taken from the valid-static vector.</summary>
    private string WorkedExampleDoc()
    {
        var path = Path.Combine(_root, "docs", "card-token.md");
        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        var values = WorkedExampleValues();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var updated = ExampleBlock().Replace(doc, match =>
        {
            var name = match.Groups["name"].Value;
            if (!values.TryGetValue(name, out var value))
            {
                throw new InvalidOperationException($"docs/card-token.md has a block conformance:{name} the generator does not know.");
            }

            used.Add(name);
            return $"<!-- conformance:{name} -->\n```text\n{value}\n```";
        });
        var missing = values.Keys.Where(k => !used.Contains(k)).ToList();
        return missing.Count == 0
            ? updated
            : throw new InvalidOperationException("docs/card-token.md lacks the blocks " + string.Join(", ", missing));
    }

    /// <summary>docs/conformance/README.md with its table of cases (between the two markers) written from the cases.</summary>
    private string ReadmeWithCaseTable()
    {
        const string Begin = "<!-- cases:begin -->\n";
        const string End = "<!-- cases:end -->";
        var readme = File.ReadAllText(Path.Combine(_root, "docs", "conformance", "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException("docs/conformance/README.md lacks the markers of the case table.");
        }

        var table = new StringBuilder("| case | expected outcome | what it checks |\n|---|---|---|\n");
        foreach (var c in _cases)
        {
            var outcome = ConformanceVectors.OutcomeName(c.Expected);
            var expected = c.Defect is { } defect ? $"{outcome} (known defect; intended: {defect.IntendedOutcome})" : outcome;
            table.Append(CultureInfo.InvariantCulture, $"| `{c.Id}` | {expected} | {c.Title} |\n");
        }

        return readme[..(start + Begin.Length)] + table + readme[end..];
    }

    private Dictionary<string, string> WorkedExampleValues()
    {
        var c = _cases.Single(x => x.Id == "valid-static");
        var cose = Cose(c.QrText);
        var message = CoseMessage.DecodeSign1(cose);
        var spki = _key1.Signer.SubjectPublicKeyInfo;
        var sigStructure = SigStructure(message);
        var snapshot = CoseMessage.DecodeSign1(_held.Cose);
        var snapshotSigStructure = SigStructure(snapshot);
        var claims = c.VerifiedClaims!;
        var trustEntry = new MemoryStream();
        using (var writer = new Utf8JsonWriter(trustEntry, JsonOptions))
        {
            TrustListJson.Write(writer, CardToken.Issuer, [_trust.Single(k => k.Kid == _key1.Signer.KidHex)]);
        }

        static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["qr-text"] = c.QrText,
            ["cose-sign1"] = Hex(cose),
            ["protected"] = Hex(message.RawProtectedHeaders.Span),
            ["payload"] = Hex(message.Content!.Value.Span),
            ["signature-r"] = Hex(message.Signature.Span[..32]),
            ["signature-s"] = Hex(message.Signature.Span[32..]),
            ["claims-diagnostic"] = string.Create(CultureInfo.InvariantCulture, $$"""
                {
                  1: "{{claims.Issuer}}",
                  2: "{{claims.CardNumber}}",
                  4: {{claims.ExpiresAt.ToUnixTimeSeconds()}},
                  6: {{claims.IssuedAt.ToUnixTimeSeconds()}},
                  7: h'{{claims.TokenIdHex}}',
                  -70001: {{claims.CardVersion}},
                  -70002: {{(int)claims.Tier}},
                  -70003: "{{claims.HolderDisplayName}}",
                  -70004: {{(int)claims.Kind}}
                }
                """),
            ["trust-list"] = Encoding.UTF8.GetString(trustEntry.ToArray()),
            ["spki"] = Hex(spki),
            ["spki-sha256"] = Hex(SHA256.HashData(spki)),
            ["public-key-x"] = Hex(_key1.PublicKeyX),
            ["public-key-y"] = Hex(_key1.PublicKeyY),
            ["sig-structure"] = Hex(sigStructure),
            ["sig-structure-sha256"] = Hex(SHA256.HashData(sigStructure)),
            ["snapshot-cose"] = Hex(_held.Cose),
            ["snapshot-protected"] = Hex(snapshot.RawProtectedHeaders.Span),
            ["snapshot-payload"] = Hex(snapshot.Content!.Value.Span),
            ["snapshot-diagnostic"] = SnapshotDiagnostic(_held.Value),
            ["snapshot-sig-structure"] = Hex(snapshotSigStructure),
            ["snapshot-signature"] = Hex(snapshot.Signature.Span),
        };
    }

    private static string SnapshotDiagnostic(RevocationSnapshot s)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\n  1: \"{s.Issuer}\",\n  2: {s.Sequence},\n  3: {s.IssuedAt.ToUnixTimeSeconds()},\n  5: [\n");
        for (var i = 0; i < s.Entries.Count; i++)
        {
            var e = s.Entries[i];
            builder.Append(CultureInfo.InvariantCulture, $"    [\"{e.CardNumber}\", {(int)e.Status}, {e.MinValidVersion}]{(i + 1 < s.Entries.Count ? "," : "")}\n");
        }

        return builder.Append("  ]\n}").ToString();
    }

    /// <summary>Sig_structure (RFC 9052 §4.4) with an empty external_aad: what ES256 signs.</summary>
    private static byte[] SigStructure(CoseSign1Message message)
    {
        var writer = new CborWriter();
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(message.RawProtectedHeaders.Span);
        writer.WriteByteString([]);
        writer.WriteByteString(message.Content!.Value.Span);
        writer.WriteEndArray();
        return writer.Encode();
    }

    [GeneratedRegex(@"<!-- conformance:(?<name>[a-z0-9-]+) -->\n```text\n.*?\n```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    private sealed record Snapshot(RevocationSnapshot Value, byte[] Cose);

    private sealed record Case(
        string Id,
        string Title,
        string Description,
        string QrText,
        TokenOutcome Expected,
        CardTokenClaims? VerifiedClaims,
        ConformanceKey? VerifiedBy,
        IReadOnlyList<Snapshot> Updates,
        KnownDefect? Defect);
}
