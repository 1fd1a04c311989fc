using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Data.Sqlite;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>One registry process (no other services) shared by the tests of the "registry" collection.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public TalentSystem System { get; private set; } = null!;

    public TalentRegistryService.TalentRegistryServiceClient Client { get; private set; } = null!;

    public static Dictionary<string, string> Settings => new()
    {
        ["Registry__EventHeartbeatSeconds"] = "1",
        ["Registry__EventPollMilliseconds"] = "100",
    };

    public async ValueTask InitializeAsync()
    {
        System = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: Settings);
        Client = new TalentRegistryService.TalentRegistryServiceClient(System.Registry!.Channel);
    }

    public async ValueTask DisposeAsync() => await System.DisposeAsync();
}

[CollectionDefinition("registry")]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>;

/// <summary>Helpers shared by the tests: registering talents, issuing cards, reading errors and the database.</summary>
public static class RegistryCalls
{
    public static async Task<V1.Talent> CreateTalentAsync(this TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system, V1.Talent? talent = null) =>
        (await client.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = talent ?? SyntheticData.NewTalent() }, system.AsHrOfficer())).Talent;

    public static async Task<IssueCardResponse> IssueCardAsync(this TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system, Tier tier = Tier.B) =>
        (await system.RegisterWithCardAsync(tier: tier)).Issued;

    /// <summary>The field names of the BadRequest in an INVALID_ARGUMENT error.</summary>
    public static string[] BadFields(this RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.Select(f => f.Field).ToArray() ?? [];

    public static Google.Rpc.ErrorInfo? ErrorInfo(this RpcException ex) => ex.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>();

    /// <summary>All talents the registry lists (every page).</summary>
    public static async Task<List<V1.Talent>> ListAllTalentsAsync(this TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system, ListTalentsRequest? filter = null)
    {
        var all = new List<V1.Talent>();
        var request = filter?.Clone() ?? new ListTalentsRequest();
        request.PageSize = 200;
        while (true)
        {
            var page = await client.ListTalentsAsync(request, system.AsHrOfficer());
            all.AddRange(page.Talents);
            if (page.NextPageToken == "")
            {
                return all;
            }

            request.PageToken = page.NextPageToken;
        }
    }

    /// <summary>Reads the event history up to the caught-up marker.</summary>
    public static async Task<List<CardEvent>> ReadHistoryAsync(this TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system, long after = 0)
    {
        using var call = client.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = after }, system.AsService());
        var events = new List<CardEvent>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.CaughtUp)
            {
                return events;
            }

            events.Add(message.Event);
        }

        return events;
    }

    /// <summary>A connection to the registry's SQLite file, beside the running (or stopped) service.</summary>
    public static SqliteConnection OpenDatabase(TalentSystem system)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(system.DataDirectory, "registry.db"),
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    public static int Execute(TalentSystem system, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = OpenDatabase(system);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=30000; " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }
}
