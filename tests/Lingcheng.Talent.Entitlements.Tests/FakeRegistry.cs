using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>
/// A stand-in for the registry's event feed on a real loopback port: history after the requested
/// sequence, a caught-up marker, then live events and heartbeats, as the cross-service agreement
/// describes. Can be stopped and started again on the same port to play a registry outage.
/// </summary>
public sealed class FakeRegistry : IAsyncDisposable
{
    private readonly List<CardEvent> _events = [];
    private readonly List<long> _requests = [];
    private WebApplication? _app;

    public FakeRegistry()
    {
        Port = Lingcheng.Talent.Testing.ServiceProcess.FreePort();
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>The after_sequence of every WatchCardEvents call received.</summary>
    public IReadOnlyList<long> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public long Head
    {
        get
        {
            lock (_events)
            {
                return _events.Count;
            }
        }
    }

    public void Publish(CardEvent e)
    {
        lock (_events)
        {
            e.Sequence = _events.Count + 1;
            e.OccurTime ??= Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            _events.Add(e);
        }
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _app.MapGrpcService<Service>();
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private List<CardEvent> After(long sequence)
    {
        lock (_events)
        {
            return _events.Where(e => e.Sequence > sequence).ToList();
        }
    }

    private sealed class Service(FakeRegistry registry, IHostApplicationLifetime lifetime) : TalentRegistryService.TalentRegistryServiceBase
    {
        public override async Task WatchCardEvents(WatchCardEventsRequest request, IServerStreamWriter<WatchCardEventsResponse> responseStream, ServerCallContext context)
        {
            lock (registry._requests)
            {
                registry._requests.Add(request.AfterSequence);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
            var sent = request.AfterSequence;
            var lastMarker = DateTime.MinValue;
            while (!stop.IsCancellationRequested)
            {
                foreach (var e in registry.After(sent))
                {
                    await responseStream.WriteAsync(new WatchCardEventsResponse { Event = e, HeadSequence = registry.Head, SendTime = Timestamp.FromDateTime(DateTime.UtcNow) });
                    sent = e.Sequence;
                }

                if (DateTime.UtcNow - lastMarker > TimeSpan.FromSeconds(1))
                {
                    await responseStream.WriteAsync(new WatchCardEventsResponse { CaughtUp = true, HeadSequence = registry.Head, SendTime = Timestamp.FromDateTime(DateTime.UtcNow) });
                    lastMarker = DateTime.UtcNow;
                }

                try
                {
                    await Task.Delay(50, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public override Task<GetCardResponse> GetCard(GetCardRequest request, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.NotFound, "unknown card"));
    }
}
