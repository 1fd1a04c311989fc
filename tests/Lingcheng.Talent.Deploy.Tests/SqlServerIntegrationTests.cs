using Grpc.Core;
using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// The services' data layers on a real SQL Server 2022 (Testcontainers), with the SQL Server migration sets
/// production applies: concurrent redemptions, the card event feed, the audit chains. Each scenario also runs
/// on SQLite (the embedded default), which keeps the scenario itself honest on machines without Docker; the
/// SQL Server cases are reported as skipped there, never as passed.
/// </summary>
public sealed class SqlServerIntegrationTests(SqlServerFixture sql) : IClassFixture<SqlServerFixture>
{
    public static TheoryData<string> Providers => ["SqlServer", "Sqlite"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_redemptions_never_exceed_the_quota_and_each_redemption_id_counts_once(string provider)
    {
        var settings = Settings(provider, "Registry", "Entitlements");
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: true, verification: false, settings: settings);
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var entitlements = new EntitlementService.EntitlementServiceClient(system.Entitlements!.Channel);
        var card = await IssueCardAsync(system);

        // SCENIC_SPOT_ENTRY: 12 uses per calendar year, provided by CULTOUR, all tiers (SPEC §3.3).
        var ids = Enumerable.Range(0, 30).Select(_ => SyntheticData.RequestId()).ToList();
        EntitlementServiceRedeemRequest Redeem(string id) => new()
        {
            RedemptionId = id,
            CardNumber = card.CardNumber,
            CardVersion = card.CardVersion,
            BenefitCode = "SCENIC_SPOT_ENTRY",
            AgencyCode = "CULTOUR",
            TerminalId = "gate-" + (id.GetHashCode() & 3),
        };

        var first = await Task.WhenAll(ids.Select(async id => (id, (await entitlements.RedeemAsync(Redeem(id), system.AsVerificationFor("CULTOUR", "gate-" + (id.GetHashCode() & 3)))).Status)));
        var redeemed = first.Where(r => r.Status == RedemptionStatus.Redeemed).Select(r => r.id).ToList();
        Assert.Equal(12, redeemed.Count);
        Assert.All(first.Where(r => r.Status != RedemptionStatus.Redeemed), r => Assert.Equal(RedemptionStatus.QuotaExhausted, r.Status));

        // Every repeat of a recorded id, all at once, resolves to the first result and records nothing new.
        var repeats = await Task.WhenAll(redeemed.Select(async id => (await entitlements.RedeemAsync(Redeem(id), system.AsVerificationFor("CULTOUR", "gate-" + (id.GetHashCode() & 3)))).Status));
        Assert.All(repeats, s => Assert.Equal(RedemptionStatus.AlreadyRedeemed, s));

        var history = await entitlements.ListRedemptionsAsync(
            new ListRedemptionsRequest { CardNumber = card.CardNumber, PageSize = 100 }, system.AsTalent(card.CardNumber));
        Assert.Equal(redeemed.Order(), history.Redemptions.Select(r => r.RedemptionId).Order());

        var chain = await entitlements.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), system.AsAuditor());
        Assert.True(chain.Report.Intact, chain.Report.Detail);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_event_feed_is_gap_free_in_commit_order_under_concurrent_writes_and_resumes(string provider)
    {
        var settings = Settings(provider, "Registry");
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);

        var cards = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => IssueCardAsync(system)));
        await Task.WhenAll(cards.Take(6).Select(c => registry.SuspendCardAsync(
            new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = c.CardNumber, Note = "integration test" }, system.AsHrOfficer()).ResponseAsync));

        var all = await ReadFeedAsync(system, registry, after: 0);
        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.Equal(cards.Select(c => c.CardNumber).Order(), all.Take(12).Select(e => e.CardNumber).Order());
        Assert.All(all.Skip(12), e => Assert.Equal(CardState.Suspended, e.State));

        var resumed = await ReadFeedAsync(system, registry, after: 9);
        Assert.Equal(all.Skip(9).Select(e => e.Sequence), resumed.Select(e => e.Sequence));

        var chain = await registry.VerifyAuditChainAsync(new VerifyAuditChainRequest(), system.AsAuditor());
        Assert.True(chain.Report.Intact, chain.Report.Detail);
        Assert.True(chain.Report.RecordsChecked >= 30, $"{chain.Report.RecordsChecked} audit records for 12 talents, 12 cards and 6 suspensions");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_writers_keep_each_services_audit_chain_intact_and_a_request_id_answers_once(string provider)
    {
        foreach (var service in new[] { "registry", "entitlements", "verification" })
        {
            var (create, cleanup) = Contexts(provider, service);
            try
            {
                await using (var db = create())
                {
                    await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
                }

                // 16 writers append at once; 8 of them also race for the same request id.
                var request = new GetCardRequest { CardNumber = "LC260000019" };
                var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
                {
                    await using var db = create();
                    return await WriteTransactions.RunAsync(db, async ct =>
                    {
                        if (i % 2 == 0)
                        {
                            var earlier = await Idempotency.FindAsync<GetCardResponse>(db, "IntegrationTest", "same-request", request, ct);
                            if (earlier is not null)
                            {
                                return earlier.Card.TalentId;
                            }

                            Idempotency.Add(db, "IntegrationTest", "same-request", request,
                                new GetCardResponse { Card = new Card { TalentId = "writer-" + i } }, DateTimeOffset.UtcNow);
                        }

                        await AuditChain.AppendAsync(db, new AuditEntry("service:integration-test", null, "Append", "writer-" + i, "OK"), DateTimeOffset.UtcNow, ct);
                        return "writer-" + i;
                    }, TestContext.Current.CancellationToken);
                }, TestContext.Current.CancellationToken)));

                var idempotent = results.Where((_, i) => i % 2 == 0).Distinct().ToList();
                Assert.Single(idempotent); // every racer for the id got the first writer's answer
                await using (var db = create())
                {
                    var report = await AuditChain.VerifyAsync(db, TestContext.Current.CancellationToken);
                    Assert.True(report.Intact, $"{service}: {report.Detail}");
                    Assert.Equal(9, report.RecordsChecked); // 8 plain writers + the one that won the id
                    Assert.Equal(1, await db.Set<IdempotencyRecord>().CountAsync(r => r.Operation == "IntegrationTest", TestContext.Current.CancellationToken));
                }
            }
            finally
            {
                cleanup();
            }
        }
    }

    private Dictionary<string, string> Settings(string provider, params string[] services)
    {
        var settings = new Dictionary<string, string>
        {
            ["Registry__EventHeartbeatSeconds"] = "1",
            // No verification service in these runs: let each process take a free port for the JSON endpoint.
            ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
        };
        if (provider == "SqlServer")
        {
            sql.SkipUnlessAvailable();
            settings["Database__Provider"] = "SqlServer";
            foreach (var service in services)
            {
                settings["ConnectionStrings__" + service] = sql.NewDatabase(service.ToLowerInvariant());
            }
        }

        return settings;
    }

    private (Func<DbContext> Create, Action Cleanup) Contexts(string provider, string service)
    {
        if (provider == "SqlServer")
        {
            sql.SkipUnlessAvailable();
            var connection = sql.NewDatabase(service);
            return (() => SqlServerContexts.Create(service, connection), () => { });
        }

        var file = Path.Combine(Path.GetTempPath(), $"lct-deploy-{service}-{Guid.NewGuid():N}.db");
        var connectionString = DatabaseExtensions.SqliteConnectionString(file);
        return (() => SqlServerContexts.CreateSqlite(service, connectionString), () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
        });
    }

    private static async Task<Card> IssueCardAsync(TalentSystem system) => (await system.RegisterWithCardAsync()).Issued.Card;

    /// <summary>The events after a sequence up to the caught-up marker.</summary>
    private static async Task<List<CardEvent>> ReadFeedAsync(TalentSystem system, TalentRegistryService.TalentRegistryServiceClient registry, long after)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var options = system.AsService().WithCancellationToken(timeout.Token);
        using var call = registry.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = after }, options);
        var events = new List<CardEvent>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            if (message.CaughtUp)
            {
                break;
            }

            events.Add(message.Event);
        }

        return events;
    }
}
