using System.Globalization;
using System.Text.Json;
using Lingcheng.Talent.Cards;

// Compiled into Lingcheng.Talent.Cards.Tests and, as a linked file, into Lingcheng.Talent.Cli.Tests,
// so the card library's runner and the SDK's runner read the committed vectors the same way.
namespace Lingcheng.Talent.Conformance;

/// <summary>
/// One committed conformance vector of <c>docs/conformance/v1/cases/</c>: a QR text, what to check
/// it against (trust list, revocation snapshot and the updates received after it, the clock), and
/// the outcome a verifier must give. The file layout is documented in <c>docs/conformance/README.md</c>.
/// </summary>
internal sealed record ConformanceVector
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    public required string QrText { get; init; }

    /// <summary>The PNG's file name, beside the JSON file.</summary>
    public required string QrPng { get; init; }

    public required DateTimeOffset VerificationTime { get; init; }

    public required int ClockSkewSeconds { get; init; }

    /// <summary>The trust list object, in the layout of <c>GET /v1/trust-list</c>.</summary>
    public required JsonElement TrustListElement { get; init; }

    /// <summary>The full signed snapshot the verifier holds.</summary>
    public required SignedSnapshot HeldSnapshot { get; init; }

    /// <summary>Signed snapshots or deltas received after it, to apply in order.</summary>
    public required IReadOnlyList<SignedSnapshot> RevocationUpdates { get; init; }

    /// <summary>The SPEC §5.3 outcome name, e.g. <c>VALID</c>.</summary>
    public required string ExpectedOutcome { get; init; }

    /// <summary>The claims a verifier decodes, present when the signature is expected to verify.</summary>
    public JsonElement? ExpectedClaims { get; init; }

    /// <summary>Set when the reference implementation is known to answer other than intended.</summary>
    public KnownDefect? KnownDefect { get; init; }

    public CardTokenVerifierOptions VerifierOptions => new() { ClockSkew = TimeSpan.FromSeconds(ClockSkewSeconds) };

    /// <summary>The trust list, parsed as every verifier would.</summary>
    public TrustList ParseTrustList() => TrustListJson.Parse(TrustListElement, out _);

    /// <summary>The held snapshot with every update applied (each verified against the trust list first).</summary>
    public RevocationSnapshot MergedSnapshot(TrustList trust)
    {
        var snapshot = HeldSnapshot.Verify(trust);
        if (snapshot.IsDelta)
        {
            throw new InvalidDataException($"{Id}: the held revocation snapshot is a delta.");
        }

        foreach (var update in RevocationUpdates)
        {
            snapshot = snapshot.Apply(update.Verify(trust));
        }

        return snapshot;
    }

    public static ConformanceVector Parse(JsonElement root)
    {
        var snapshot = root.GetProperty("revocationSnapshot");
        return new ConformanceVector
        {
            Id = root.GetProperty("id").GetString()!,
            Title = root.GetProperty("title").GetString()!,
            Description = root.GetProperty("description").GetString()!,
            QrText = root.GetProperty("qrText").GetString()!,
            QrPng = root.GetProperty("qrPng").GetString()!,
            VerificationTime = DateTimeOffset.Parse(root.GetProperty("verificationTime").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            ClockSkewSeconds = root.GetProperty("clockSkewSeconds").GetInt32(),
            TrustListElement = root.GetProperty("trustList").Clone(),
            HeldSnapshot = SignedSnapshot.Parse(snapshot),
            RevocationUpdates = [.. root.GetProperty("revocationUpdates").EnumerateArray().Select(SignedSnapshot.Parse)],
            ExpectedOutcome = root.GetProperty("expectedOutcome").GetString()!,
            ExpectedClaims = root.GetProperty("expectedClaims") is { ValueKind: JsonValueKind.Object } claims ? claims.Clone() : null,
            KnownDefect = root.GetProperty("knownDefect") is { ValueKind: JsonValueKind.Object } defect
                ? new KnownDefect(defect.GetProperty("component").GetString()!, defect.GetProperty("intendedOutcome").GetString()!, defect.GetProperty("description").GetString()!)
                : null,
        };
    }
}

/// <summary>A signed revocation snapshot or delta of a vector, with its content written out for readers.</summary>
internal sealed record SignedSnapshot(byte[] Cose, JsonElement Content)
{
    public static SignedSnapshot Parse(JsonElement element) =>
        new(Convert.FromBase64String(element.GetProperty("cose").GetString()!), element.GetProperty("content").Clone());

    public RevocationSnapshot Verify(TrustList trust)
    {
        var outcome = RevocationSnapshotCodec.TryVerify(Cose, trust, out var snapshot);
        return outcome == SnapshotOutcome.Valid && snapshot is not null
            ? snapshot
            : throw new InvalidDataException($"A vector's revocation snapshot does not verify: {outcome}.");
    }
}

/// <summary>The reference implementation answers <c>expectedOutcome</c> where <see cref="IntendedOutcome"/> is right.</summary>
internal sealed record KnownDefect(string Component, string IntendedOutcome, string Description);

/// <summary>Finds and reads the committed vectors.</summary>
internal static class ConformanceVectors
{
    /// <summary>The version folder the runners read.</summary>
    public const string Version = "v1";

    public static string Root { get; } = FindRoot();

    /// <summary><c>docs/conformance/v1</c>.</summary>
    public static string VersionDirectory => Path.Combine(Root, "docs", "conformance", Version);

    public static string CasesDirectory => Path.Combine(VersionDirectory, "cases");

    /// <summary>The case ids listed in <c>index.json</c>, in its order.</summary>
    public static IReadOnlyList<string> Ids()
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VersionDirectory, "index.json")));
        return [.. index.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    public static ConformanceVector Load(string id)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CasesDirectory, id + ".json")));
        return ConformanceVector.Parse(document.RootElement);
    }

    public static byte[] Png(ConformanceVector vector) => File.ReadAllBytes(Path.Combine(CasesDirectory, vector.QrPng));

    /// <summary>The SPEC §5.3 name of an outcome: <c>UnsupportedVersion</c> → <c>UNSUPPORTED_VERSION</c>.</summary>
    public static string OutcomeName(TokenOutcome outcome)
    {
        var name = outcome.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lingcheng.Talent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
