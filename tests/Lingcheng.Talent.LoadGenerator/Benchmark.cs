using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using CardTier = Lingcheng.Talent.Cards.Tier;

namespace Lingcheng.Talent.LoadGenerator;

/// <summary>How big and how long the benchmark runs.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Cards issued through the registry (SPEC §7.1: 10 000).</summary>
    public int Cards { get; init; } = 10_000;

    /// <summary>IssueCard / CreateTalent calls in flight.</summary>
    public int IssueConcurrency { get; init; } = 32;

    /// <summary>HTTP/2 connections the verify load is spread over.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Calls in flight for the maximum-rate phases: enough to saturate the services although each verify waits for its audit commit.</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>Length of each measured phase.</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured calls before each phase (JIT, connection set-up, caches).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times the throughput phases repeat; the report gives medians.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Revocations timed until the verification service refuses the card.</summary>
    public int Revocations { get; init; } = 100;

    /// <summary>Card states in the verification cache for the memory reading (SPEC §7.1: 1 000 000).</summary>
    public int CachedCards { get; init; } = 1_000_000;

    /// <summary>Run the verification service with <c>Verification:AuditSkipsFsync</c> (audit survives a killed process, not a power cut).</summary>
    public bool AuditSkipsFsync { get; init; }

    /// <summary>Extra environment for the service processes (e.g. DOTNET_gcServer=0), to measure a tuning.</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>A few seconds of everything, to keep the benchmark working (the test suite runs this).</summary>
    public static BenchmarkOptions Smoke { get; } = new()
    {
        Cards = 40,
        IssueConcurrency = 8,
        Connections = 2,
        Concurrency = 8,
        Phase = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.FromMilliseconds(300),
        Rounds = 1,
        Revocations = 5,
        CachedCards = 20_000,
    };
}

/// <summary>
/// The SPEC §7.1 benchmark in one run on one machine: starts the three services (SQLite, the
/// build configuration this program was built in), then measures (1) an empty unary call through
/// the full pipeline, (2) Verify with distinct and with repeated tokens, (3) p99 at half the
/// maximum rate, (4) extra server CPU per verify against a raw ECDSA verify, (5) revocation
/// propagation, (6) issuing the cards, (7) resident memory with a million cached card states.
/// </summary>
public sealed class Benchmark(BenchmarkOptions options, Action<string> log)
{
    private const string Agency = "HOSP_PEOPLE";
    private readonly List<string> _failures = [];

    public async Task<BenchmarkReport> RunAsync()
    {
        var report = new BenchmarkReport { Options = options, LoadAverageBefore = LoadAverage() };
        var keyFolder = Path.Combine(Path.GetTempPath(), "lct-load", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(keyFolder);
        // The registry signs with a key this run generated, so the generator can make as many distinct
        // (dynamic) tokens for the issued cards as the verify phases need, exactly as IssueDynamicToken would.
        using var key = SigningKey.Generate(DateTimeOffset.UtcNow.AddMinutes(-1));
        var keyFile = Path.Combine(keyFolder, "registry-signing.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8Pem());
        try
        {
            log($"Starting the services ({RepoPaths.Configuration}, SQLite) …");
            var settings = new Dictionary<string, string>(options.ServiceEnvironment)
            {
                ["Registry__SigningKeyFile"] = keyFile,
                ["Registry__EventHeartbeatSeconds"] = "1",
                ["Verification__RateLimit__PermitsPerSecond"] = "0",
                ["Verification__EntitlementsDeadlineMilliseconds"] = "5000",
                ["Verification__AuditSkipsFsync"] = options.AuditSkipsFsync ? "true" : "false",
            };
            await using var system = await TalentSystem.StartAsync(settings: settings);
            var services = new[] { system.Registry!, system.Entitlements!, system.Verification! };
            log($"Process ids: registry {services[0].ProcessId}, entitlements {services[1].ProcessId}, verification {services[2].ProcessId}");
            var channels = Enumerable.Range(0, options.Connections).Select(_ => Channel(system.Verification!.Address)).ToArray();
            try
            {
                var cards = await IssueCardsAsync(system, report);
                var verifiers = channels.Select(c => new VerificationService.VerificationServiceClient(c)).ToArray();
                var agency = system.AsAgency(Agency, "load").Headers!;
                await WaitUntilKnownAsync(verifiers[0], cards[^1].QrText, agency);

                var issuer = new CardTokenIssuer(TimeProvider.System);
                // One unmeasured round first: the services' JIT (tiered, with PGO) and heaps settle under load,
                // which takes longer than a phase's warm-up; without it the first round's empty call ran at half speed.
                log("Warm-up round (not measured)");
                await RoundAsync(services, verifiers, agency, cards, key, issuer, options.Warmup);
                for (var round = 1; round <= options.Rounds; round++)
                {
                    log($"Round {round} of {options.Rounds}");
                    report.Rounds.Add(await RoundAsync(services, verifiers, agency, cards, key, issuer, options.Phase));
                }

                await MeasureRevocationsAsync(system, verifiers[0], agency, cards, report);
                await MeasureCacheMemoryAsync(system, verifiers[0], agency, cards[0].QrText, report);
            }
            finally
            {
                foreach (var channel in channels)
                {
                    channel.Dispose();
                }
            }
        }
        finally
        {
            Directory.Delete(keyFolder, recursive: true);
        }

        report.LoadAverageAfter = LoadAverage();
        report.Failures.AddRange(_failures);
        return report;
    }

    private sealed record IssuedCard(Card Card, string QrText);

    private static GrpcChannel Channel(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        // One HTTP/2 connection per channel: the load is spread over Connections of them.
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
    });

    private async Task<IssuedCard[]> IssueCardsAsync(TalentSystem system, BenchmarkReport report)
    {
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var hr = new CallOptions(system.AsHrOfficer().Headers); // no deadline: the run may be long
        var talents = new string[options.Cards];
        var tiers = new[] { V1.Tier.A, V1.Tier.B, V1.Tier.C, V1.Tier.D };
        log($"Registering {options.Cards} talents …");
        var created = await Load.ClosedAsync("CreateTalent", async i =>
        {
            var reply = await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(tiers[i % tiers.Length]) }, hr);
            talents[i] = reply.Talent.TalentId;
        }, options.IssueConcurrency, TimeSpan.MaxValue, options.Cards, Fail);
        report.CreateTalents = created;

        log($"Issuing {options.Cards} cards …");
        var cards = new IssuedCard[options.Cards];
        var issued = await Load.ClosedAsync("IssueCard", async i =>
        {
            var reply = await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talents[i] }, hr);
            cards[i] = new IssuedCard(reply.Card, reply.QrText);
        }, options.IssueConcurrency, TimeSpan.MaxValue, options.Cards, Fail);
        report.IssueCards = issued;
        log($"Issued {issued.Calls} cards in {issued.Elapsed.TotalSeconds:F1} s ({issued.PerSecond:F0}/s); talents took {created.Elapsed.TotalSeconds:F1} s");
        if (issued.Failures > 0 || created.Failures > 0)
        {
            throw new InvalidOperationException($"Issuing failed ({created.Failures} talents, {issued.Failures} cards): {string.Join("; ", _failures)}");
        }

        return cards;
    }

    private static async Task WaitUntilKnownAsync(VerificationService.VerificationServiceClient verifier, string qrText, Metadata agency)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var reply = await verifier.VerifyAsync(new VerifyRequest { QrText = qrText }, agency);
            if (reply.Outcome == VerificationOutcome.Valid)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The verification service still says {reply.Outcome} for the last issued card.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>µs per raw ECDSA P-256 verify of a token-sized message, and per full token verify, single-threaded.</summary>
    private static double MeasureRawEcdsa(SigningKey key, out double tokenVerifyMicroseconds, string qrText)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var message = RandomNumberGenerator.GetBytes(200); // about a Sig_structure of a card token
        var signature = ecdsa.SignData(message, HashAlgorithmName.SHA256);
        var raw = MicrosecondsPerCall(() => ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256));

        var trust = new TrustList(key.ToTrustedKey());
        var verifier = new CardTokenVerifier(TimeProvider.System, new CardTokenVerifierOptions());
        tokenVerifyMicroseconds = MicrosecondsPerCall(() => verifier.Verify(qrText, trust).SignatureVerified);
        return raw;
    }

    /// <summary>
    /// µs per check of an access token like the identity provider's (ES256, at+jwt), single-threaded: in full
    /// (JsonWebTokenHandler), and sent again to the services' handler, which remembers it (RememberingTokenHandler).
    /// The benchmark's own calls carry development tokens (HS256), which the services remember the same way.
    /// </summary>
    private static (double Full, double Remembered) MeasureBearerToken()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "load" };
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://identity.lingcheng.example",
            Audience = DevelopmentTokens.Audience,
            TokenType = "at+jwt",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { [ClaimNames.Role] = Roles.AgencyTerminal, [ClaimNames.Agency] = Agency, [ClaimNames.Terminal] = "load" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = "https://identity.lingcheng.example",
            ValidAudience = DevelopmentTokens.Audience,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKey = key,
            RoleClaimType = ClaimNames.Role,
        };
        var full = new JsonWebTokenHandler();
        var remembered = new RememberingTokenHandler();
        return (MicrosecondsPerCall(() => Check(full)), MicrosecondsPerCall(() => Check(remembered)));

        bool Check(TokenHandler handler) =>
            handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult() is { IsValid: true } result
            && result.ClaimsIdentity.HasClaim(ClaimNames.Role, Roles.AgencyTerminal);
    }

    /// <summary>µs per call of <paramref name="op"/> on this thread: 500 calls of warm-up, then as many as 2 s allow.</summary>
    private static double MicrosecondsPerCall(Func<bool> op)
    {
        for (var i = 0; i < 500; i++)
        {
            if (!op())
            {
                throw new InvalidOperationException("A single-thread measurement's check failed (the ECDSA verify, the token verify or the bearer token).");
            }
        }

        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 2000)
        {
            op();
            count++;
        }

        return watch.Elapsed.TotalMicroseconds / count;
    }

    private async Task<Round> RoundAsync(ServiceProcess[] services, VerificationService.VerificationServiceClient[] verifiers, Metadata agency,
        IssuedCard[] cards, SigningKey key, CardTokenIssuer issuer, TimeSpan phase)
    {
        var pids = services.Select(s => s.ProcessId).ToArray();
        var verificationPid = new[] { services[2].ProcessId };
        // The baseline of figure 4 in every round: the machine's speed drifts with what else runs.
        var rawEcdsa = MeasureRawEcdsa(key, out var tokenVerify, cards[0].QrText);
        var bearer = MeasureBearerToken();
        log($"  raw ECDSA P-256 verify {rawEcdsa:F1} µs, token verify {tokenVerify:F1} µs, bearer token (ES256) {bearer.Full:F1} µs in full and {bearer.Remembered:F1} µs remembered (one thread, services idle)");
        var client = (Func<long, VerificationService.VerificationServiceClient>)(i => verifiers[i % verifiers.Length]);

        var empty = await PhaseAsync("empty call", i => client(i).GetServerTimeAsync(new GetServerTimeRequest(), agency).ResponseAsync, pids, verificationPid, phase);

        var repeatedSet = cards.Take(Math.Min(64, cards.Length)).Select(c => c.QrText).ToArray();
        var repeated = await PhaseAsync("Verify, repeated tokens", i => ExpectValid(client(i).VerifyAsync(new VerifyRequest { QrText = repeatedSet[i % repeatedSet.Length] }, agency)), pids, verificationPid, phase);

        // Distinct tokens: a fresh dynamic token per call, signed before the phase so the signing costs the services nothing.
        var needed = (long)(Math.Max(empty.Load.PerSecond, 200) * (phase + options.Warmup).TotalSeconds * 1.1);
        var distinctTokens = SignDistinct(key, issuer, cards, needed);
        var distinct = await PhaseAsync("Verify, distinct tokens", i => ExpectValid(client(i).VerifyAsync(new VerifyRequest { QrText = distinctTokens[i] }, agency)), pids, verificationPid, phase, distinctTokens.Length);

        var halfRate = Math.Max(1, distinct.Load.PerSecond / 2);
        var halfTokens = SignDistinct(key, issuer, cards, (long)(halfRate * phase.TotalSeconds) + 1);
        log($"  Verify at half the maximum rate ({halfRate:F0}/s, open loop) …");
        var (half, halfCpu) = await OpenAsync("Verify at half rate", i => ExpectValid(client(i).VerifyAsync(new VerifyRequest { QrText = halfTokens[i] }, agency)));
        log($"    {half.PerSecond:F0}/s, p50 {half.P50:F2} ms, p99 {half.P99:F2} ms, server CPU {halfCpu:F0} µs/call, failures {half.Failures}; {half.Slow}");

        // The floor under that figure: the empty call on the same schedule, through the same generator and machine.
        var (halfEmpty, halfEmptyCpu) = await OpenAsync("empty call at the same rate", i => client(i).GetServerTimeAsync(new GetServerTimeRequest(), agency).ResponseAsync);
        log($"  empty call at the same rate: p50 {halfEmpty.P50:F2} ms, p99 {halfEmpty.P99:F2} ms, server CPU {halfEmptyCpu:F0} µs/call; {halfEmpty.Slow}");
        return new Round(rawEcdsa, tokenVerify, bearer, empty, repeated, distinct, half, halfEmpty, halfCpu, halfEmptyCpu);

        // An open-loop phase at the half rate, with the services' CPU per call during it.
        async Task<(LoadResult Result, double ServerCpuMicroseconds)> OpenAsync(string name, Func<long, Task> call)
        {
            var cpuBefore = ProcessMeter.CpuTime(pids);
            var result = await Load.OpenAsync(name, call, halfRate, phase, Fail);
            return (result, (ProcessMeter.CpuTime(pids) - cpuBefore).TotalMicroseconds / Math.Max(1, result.Calls));
        }
    }

    private async Task<Phase> PhaseAsync(string name, Func<long, Task> call, int?[] pids, int?[] verificationPid, TimeSpan phase, long limit = long.MaxValue)
    {
        log($"  {name} …");
        var offset = 0L;
        if (options.Warmup > TimeSpan.Zero)
        {
            // At most a tenth of a limited supply (distinct tokens) goes to the warm-up.
            var warm = await Load.ClosedAsync(name, call, options.Concurrency, options.Warmup, limit / 10, Fail);
            offset = warm.Calls + warm.Failures;
        }

        var cpuBefore = ProcessMeter.CpuTime(pids);
        var verificationBefore = ProcessMeter.CpuTime(verificationPid);
        var generatorBefore = ProcessMeter.CpuTime([Environment.ProcessId]);
        var result = await Load.ClosedAsync(name, i => call(i + offset), options.Concurrency, phase, limit - offset, Fail);
        var cpu = ProcessMeter.CpuTime(pids) - cpuBefore;
        var verificationCpu = ProcessMeter.CpuTime(verificationPid) - verificationBefore;
        var generatorCpu = ProcessMeter.CpuTime([Environment.ProcessId]) - generatorBefore;
        var calls = Math.Max(1, result.Calls);
        var measured = new Phase(result, cpu.TotalMicroseconds / calls, verificationCpu.TotalMicroseconds / calls, generatorCpu.TotalMicroseconds / calls);
        log($"    {result.PerSecond:F0}/s, p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, server CPU {measured.ServerCpuMicroseconds:F0} µs/call "
            + $"(verification service {measured.VerificationCpuMicroseconds:F0}), generator {measured.GeneratorCpuMicroseconds:F0}, failures {result.Failures}");
        return measured;
    }

    private static string[] SignDistinct(SigningKey key, CardTokenIssuer issuer, IssuedCard[] cards, long count)
    {
        var tokens = new string[count];
        Parallel.For(0, count, i =>
        {
            var card = cards[i % cards.Length].Card;
            tokens[i] = issuer.IssueDynamic(key, card.CardNumber, card.CardVersion, (CardTier)(int)card.Tier, card.HolderDisplayName,
                card.ExpireTime.ToDateTimeOffset(), TimeSpan.FromMinutes(10));
        });
        return tokens;
    }

    private static async Task ExpectValid(AsyncUnaryCall<VerifyResponse> call)
    {
        var reply = await call.ResponseAsync;
        if (reply.Outcome != VerificationOutcome.Valid || !reply.BenefitsAvailable)
        {
            throw new InvalidOperationException($"Verify answered {reply.Outcome} (benefits available: {reply.BenefitsAvailable}): {reply.Message}");
        }
    }

    private async Task MeasureRevocationsAsync(TalentSystem system, VerificationService.VerificationServiceClient verifier, Metadata agency, IssuedCard[] cards, BenchmarkReport report)
    {
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var count = Math.Min(options.Revocations, cards.Length - 1);
        log($"Revocation propagation over {count} cards …");
        var latencies = new List<double>();
        foreach (var card in cards.Skip(cards.Length - count))
        {
            await registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.Card.CardNumber, Reason = RevocationReason.LeftDistrict },
                system.AsHrOfficer());
            var acknowledged = Stopwatch.GetTimestamp();
            while (true)
            {
                var reply = await verifier.VerifyAsync(new VerifyRequest { QrText = card.QrText }, agency);
                var elapsed = Stopwatch.GetElapsedTime(acknowledged);
                if (reply.Outcome == VerificationOutcome.Revoked)
                {
                    latencies.Add(elapsed.TotalMilliseconds);
                    break;
                }

                if (elapsed > TimeSpan.FromSeconds(30))
                {
                    Fail($"card {card.Card.CardNumber} still {reply.Outcome} 30 s after its revocation");
                    break;
                }

                await Task.Delay(2);
            }
        }

        var sorted = latencies.Order().ToArray();
        report.Revocation = new LoadResult("Revocation visible", sorted.Length, count - sorted.Length, TimeSpan.Zero, sorted);
        log($"  p50 {report.Revocation.P50:F1} ms, p99 {report.Revocation.P99:F1} ms");
    }

    /// <summary>
    /// Stops the verification service, adds synthetic card states to its database until it holds
    /// <see cref="BenchmarkOptions.CachedCards"/>, restarts it (it loads every state into its cache
    /// before it answers) and reads its resident memory after a burst of verifies.
    /// </summary>
    private async Task MeasureCacheMemoryAsync(TalentSystem system, VerificationService.VerificationServiceClient verifier, Metadata agency, string qrText, BenchmarkReport report)
    {
        var verification = system.Verification!;
        report.ResidentBytesWithIssuedCards = ProcessMeter.ResidentBytes(verification.ProcessId!.Value);
        var extra = Math.Max(0, options.CachedCards - options.Cards);
        log($"Seeding {extra} more card states into the verification database …");
        var watch = Stopwatch.StartNew();
        verification.Kill();
        var killed = watch.Elapsed;
        SeedCardStates(Path.Combine(system.DataDirectory, "verification.db"), extra);
        log($"  stopped in {killed.TotalSeconds:F1} s, seeded in {(watch.Elapsed - killed).TotalSeconds:F1} s");

        watch.Restart();
        await verification.RestartAsync();
        report.CacheLoad = watch.Elapsed;
        report.CachedCards = options.Cards + extra;
        // Resident memory in service, not idle: a few seconds of verifies at full concurrency first.
        await Load.ClosedAsync("Verify with the full cache", _ => ExpectValid(verifier.VerifyAsync(new VerifyRequest { QrText = qrText }, agency)),
            options.Concurrency, options.Warmup, failure: Fail);
        report.ResidentBytesWithCachedCards = ProcessMeter.ResidentBytes(verification.ProcessId!.Value);
        log($"  {report.CachedCards} cards loaded in {report.CacheLoad.TotalSeconds:F1} s; resident {report.ResidentBytesWithCachedCards / 1048576.0:F0} MiB");
    }

    private static void SeedCardStates(string databaseFile, int count)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Pooling = false }.ToString());
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO CardStates (CardNumber, Version, State, Tier, HolderDisplayName, ExpiresAtUnixSeconds, TalentId, Sequence) "
            + "VALUES ($number, 1, 1, $tier, $name, $expires, $talent, 0)";
        var number = insert.Parameters.Add("$number", SqliteType.Text);
        var tier = insert.Parameters.Add("$tier", SqliteType.Integer);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var expires = insert.Parameters.Add("$expires", SqliteType.Integer);
        var talent = insert.Parameters.Add("$talent", SqliteType.Text);
        var expiry = DateTimeOffset.UtcNow.AddYears(3).ToUnixTimeSeconds();
        for (var i = 0; i < count; i++)
        {
            // Year 99 never clashes with the cards the registry issued in this run.
            number.Value = CardNumber.Create(99, i % 1_000_000) + "";
            tier.Value = 1 + (i % 4);
            var full = SyntheticData.ChineseName();
            name.Value = full[0] + new string('*', Math.Max(1, full.Length - 2)) + (full.Length > 2 ? full[^1..] : "");
            expires.Value = expiry - (i % 1000) * 86_400;
            talent.Value = "T" + Guid.CreateVersion7().ToString("N").ToUpperInvariant();
            insert.ExecuteNonQuery();
        }

        tx.Commit();
    }

    private void Fail(string message)
    {
        lock (_failures)
        {
            if (_failures.Count < 20)
            {
                _failures.Add(message);
            }
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
