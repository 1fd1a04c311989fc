using System.Collections.Concurrent;
using System.Security.Cryptography.Cose;
using System.Text.Json;
using Lingcheng.Talent.Conformance;
using Lingcheng.Talent.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lingcheng.Talent.Cards.Tests.Conformance;

/// <summary>
/// Runs the committed conformance vectors (docs/conformance/v1) through the card library, checks that
/// a signed vector stops giving its outcome when any byte of it changes, and that the committed files
/// are what the generator writes. Regenerate them on purpose with the explicit test at the end
/// (command in docs/conformance/README.md).
/// </summary>
public sealed class ConformanceVectorTests
{
    // Outcomes that need a verified signature: no altered token may reach one of them.
    private static readonly HashSet<string> SignedOutcomes =
        ["VALID", "NOT_YET_VALID", "TOKEN_EXPIRED", "EXPIRED", "SUSPENDED", "REVOKED", "SUPERSEDED"];

    public static TheoryData<string> Ids() => [.. ConformanceVectors.Ids()];

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_card_library_gives_each_vector_its_expected_outcome_and_claims(string id)
    {
        var vector = ConformanceVectors.Load(id);
        var trust = vector.ParseTrustList();
        var snapshot = vector.MergedSnapshot(trust);

        var check = new OfflineVerifier(new FakeTimeProvider(vector.VerificationTime), vector.VerifierOptions).Verify(vector.QrText, trust, snapshot);

        // A defect recorded against the SDK's refresh is not the library's: RevocationSnapshot.Apply
        // keeps the newer snapshot, so the library gives the intended outcome.
        Assert.Equal(vector.KnownDefect?.IntendedOutcome ?? vector.ExpectedOutcome, ConformanceVectors.OutcomeName(check.Outcome));
        if (vector.ExpectedClaims is { } expected)
        {
            Assert.True(check.SignatureVerified, check.Detail);
            var claims = check.Claims!;
            Assert.Equal(expected.GetProperty("kid").GetString(), check.KidHex);
            Assert.Equal(expected.GetProperty("iss").GetString(), claims.Issuer);
            Assert.Equal(expected.GetProperty("sub").GetString(), claims.CardNumber);
            Assert.Equal(expected.GetProperty("exp").GetInt64(), claims.ExpiresAt.ToUnixTimeSeconds());
            Assert.Equal(expected.GetProperty("nbf") is { ValueKind: JsonValueKind.Number } nbf ? nbf.GetInt64() : null, claims.NotBefore?.ToUnixTimeSeconds());
            Assert.Equal(expected.GetProperty("iat").GetInt64(), claims.IssuedAt.ToUnixTimeSeconds());
            Assert.Equal(expected.GetProperty("cti").GetString(), claims.TokenIdHex);
            Assert.Equal(expected.GetProperty("cardVersion").GetInt32(), claims.CardVersion);
            Assert.Equal(expected.GetProperty("tier").GetInt32(), (int)claims.Tier);
            Assert.Equal(expected.GetProperty("holderDisplayName").GetString(), claims.HolderDisplayName);
            Assert.Equal(expected.GetProperty("kind").GetInt32(), (int)claims.Kind);
        }
        else
        {
            Assert.False(check.SignatureVerified);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_vector_png_reads_back_as_its_qr_text_and_its_snapshots_match_their_written_content(string id)
    {
        var vector = ConformanceVectors.Load(id);
        Assert.Equal(vector.QrText, QrImages.Read(ConformanceVectors.Png(vector)));

        var trust = vector.ParseTrustList();
        foreach (var signed in vector.RevocationUpdates.Prepend(vector.HeldSnapshot))
        {
            var snapshot = signed.Verify(trust);
            var content = signed.Content;
            Assert.Equal(content.GetProperty("issuer").GetString(), snapshot.Issuer);
            Assert.Equal(content.GetProperty("sequence").GetInt64(), snapshot.Sequence);
            Assert.Equal(TrustListJson.FormatTime(snapshot.IssuedAt), content.GetProperty("issuedAt").GetString());
            Assert.Equal(content.GetProperty("fromSequence") is { ValueKind: JsonValueKind.Number } from ? from.GetInt64() : null, snapshot.FromSequence);
            Assert.Equal(
                content.GetProperty("entries").EnumerateArray().Select(e => $"{e.GetProperty("cardNumber").GetString()} {e.GetProperty("status").GetString()} {e.GetProperty("minValidVersion").GetInt32()}"),
                snapshot.Entries.Select(e => $"{e.CardNumber} {e.Status.ToString().ToUpperInvariant()} {e.MinValidVersion}"));
        }
    }

    [Fact]
    public void The_index_lists_every_case_file_and_every_outcome_an_offline_verifier_can_reach()
    {
        var ids = ConformanceVectors.Ids();
        var files = Directory.EnumerateFiles(ConformanceVectors.CasesDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.SelectMany(id => new[] { id + ".json", id + ".png" }).Order(StringComparer.Ordinal).ToArray(), files);
        var outcomes = ids.Select(id => ConformanceVectors.Load(id).ExpectedOutcome).ToHashSet();
        var reachable = Enum.GetValues<TokenOutcome>().Where(o => o != TokenOutcome.UnknownCard).Select(ConformanceVectors.OutcomeName);
        Assert.Empty(reachable.Except(outcomes));
        Assert.DoesNotContain("UNKNOWN_CARD", outcomes);
    }

    public static TheoryData<string> SignedIds() => [.. ConformanceVectors.Ids().Where(id => ConformanceVectors.Load(id).ExpectedClaims is not null)];

    [Theory]
    [MemberData(nameof(SignedIds))]
    public void Changing_any_byte_of_a_signed_vector_loses_its_outcome(string id)
    {
        var vector = ConformanceVectors.Load(id);
        var trust = vector.ParseTrustList();
        var snapshot = vector.MergedSnapshot(trust);
        var verifier = new OfflineVerifier(new FakeTimeProvider(vector.VerificationTime), vector.VerifierOptions);
        var expected = vector.KnownDefect?.IntendedOutcome ?? vector.ExpectedOutcome;
        Assert.True(Base45.TryDecode(vector.QrText.AsSpan(CardToken.Prefix.Length).TrimEnd("\r\n"), out var cose));
        Assert.Equal(expected, ConformanceVectors.OutcomeName(verifier.Verify(vector.QrText, trust, snapshot).Outcome));

        // Every byte: tag, headers, claims and signature; three different changes each.
        var failures = new ConcurrentBag<string>();
        Parallel.For(0, cose.Length, position =>
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var altered = (byte[])cose.Clone();
                altered[position] ^= mask;
                var check = verifier.Verify(CardToken.Prefix + Base45.Encode(altered), trust, snapshot);
                var outcome = ConformanceVectors.OutcomeName(check.Outcome);
                if (check.SignatureVerified || (SignedOutcomes.Contains(expected) && outcome == expected))
                {
                    failures.Add($"byte {position} ^ 0x{mask:X2}: {outcome}, signature verified = {check.SignatureVerified}");
                }
            }
        });

        Assert.Empty(failures);
    }

    [Fact]
    public void Changing_any_byte_of_a_vector_revocation_snapshot_makes_it_fail_verification()
    {
        var vectors = ConformanceVectors.Ids().Select(ConformanceVectors.Load).ToList();
        var trust = vectors[0].ParseTrustList();
        var snapshots = vectors.SelectMany(v => v.RevocationUpdates.Prepend(v.HeldSnapshot)).DistinctBy(s => Convert.ToHexString(s.Cose)).ToList();
        Assert.Equal(3, snapshots.Count); // held, delta, older
        var failures = new ConcurrentBag<string>();
        foreach (var signed in snapshots)
        {
            Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(signed.Cose, trust, out _));
            Parallel.For(0, signed.Cose.Length, position =>
            {
                foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
                {
                    var altered = (byte[])signed.Cose.Clone();
                    altered[position] ^= mask;
                    var outcome = RevocationSnapshotCodec.TryVerify(altered, trust, out _);
                    if (outcome == SnapshotOutcome.Valid)
                    {
                        failures.Add($"byte {position} ^ 0x{mask:X2} still verifies");
                    }
                }
            });
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void The_trust_list_of_the_vectors_round_trips_through_its_json_and_refuses_a_wrong_kid()
    {
        var vector = ConformanceVectors.Load("valid-static");
        var trust = vector.ParseTrustList();
        var json = TrustListJson.ToUtf8Bytes(CardToken.Issuer, trust);

        var again = TrustListJson.Parse(json, out var issuer);

        Assert.Equal(CardToken.Issuer, issuer);
        Assert.Equal(trust.ToArray(), again.ToArray());
        Assert.Equal(2, again.Count);
        var wrongKid = System.Text.Encoding.UTF8.GetString(json).Replace(trust.First().Kid, "0000000000000000", StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => TrustListJson.Parse(System.Text.Encoding.UTF8.GetBytes(wrongKid), out _));
        Assert.Contains("not the kid of its key", ex.Message);
        Assert.Throws<FormatException>(() => TrustListJson.Parse("{\"issuer\":\"x\",\"keys\":[{\"kid\":\"00\"}]}"u8, out _));
        Assert.Throws<FormatException>(() => TrustListJson.Parse("not json"u8, out _));
    }

    [Fact]
    public void The_committed_vectors_and_the_worked_example_are_what_the_generator_writes()
    {
        using var generator = new ConformanceVectorGenerator(Repo.Root);
        var files = generator.Generate();

        var stale = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(Repo.Root, file.Path);
            if (!File.Exists(path) || !SameContent(file, File.ReadAllBytes(path)))
            {
                stale.Add(file.Path);
            }
        }

        Assert.True(stale.Count == 0, "Out of date (regenerate as docs/conformance/README.md says): " + string.Join(", ", stale));
    }

    // Text files compare by their lines, so a checkout with CR LF line ends is not stale.
    private static bool SameContent(GeneratedFile file, byte[] onDisk) =>
        file.Path.EndsWith(".png", StringComparison.Ordinal)
            ? onDisk.AsSpan().SequenceEqual(file.Content)
            : System.Text.Encoding.UTF8.GetString(onDisk).ReplaceLineEndings("\n") == System.Text.Encoding.UTF8.GetString(file.Content);

    /// <summary>
    /// Writes docs/conformance/v1 and the worked example's hex in docs/card-token.md. Run on purpose after a build:
    /// <c>tests/Lingcheng.Talent.Cards.Tests/bin/Debug/net10.0/Lingcheng.Talent.Cards.Tests -method "*Regenerates_the_conformance_vectors" -explicit only</c>.
    /// </summary>
    [Fact(Explicit = true)]
    public void Regenerates_the_conformance_vectors()
    {
        using var generator = new ConformanceVectorGenerator(Repo.Root);
        var files = generator.Generate();
        var cases = Path.Combine(Repo.Root, ConformanceVectorGenerator.VersionPath, "cases");
        Directory.CreateDirectory(cases);

        // Cases the generator no longer makes go; everything else is rewritten only where it changed.
        var written = files.Select(f => Path.GetFullPath(Path.Combine(Repo.Root, f.Path))).ToHashSet(StringComparer.Ordinal);
        foreach (var old in Directory.EnumerateFiles(cases).Where(f => !written.Contains(Path.GetFullPath(f))))
        {
            File.Delete(old);
        }

        foreach (var file in files)
        {
            var path = Path.Combine(Repo.Root, file.Path);
            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Content))
            {
                File.WriteAllBytes(path, file.Content);
                TestContext.Current.TestOutputHelper?.WriteLine("Wrote " + file.Path);
            }
        }
    }
}
