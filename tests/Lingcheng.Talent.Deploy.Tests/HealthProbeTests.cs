using System.Net;
using System.Net.Sockets;
using Lingcheng.Talent.HealthProbe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>The image's health probe (the chiseled runtime has no shell or curl): exit 0 only when the server
/// answers grpc.health.v1 with SERVING — what the container HEALTHCHECK and compose's service_healthy rely on.</summary>
public sealed class HealthProbeTests : IAsyncLifetime
{
    private volatile bool _healthy = true;
    private WebApplication? _server;
    private string _address = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); // the output folder holds the services' appsettings.json with their ports
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck("self", () => _healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        _server = builder.Build();
        _server.MapGrpcHealthChecksService();
        await _server.StartAsync(TestContext.Current.CancellationToken);
        _address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_serving_server_passes_the_probe()
    {
        var output = new StringWriter();
        Assert.Equal(0, await HealthProbe.HealthProbe.RunAsync([_address], output, TextWriter.Null));
        Assert.Contains("Serving", output.ToString());
    }

    [Fact]
    public async Task A_server_reporting_not_serving_fails_the_probe()
    {
        _healthy = false;
        var output = new StringWriter();
        Assert.Equal(1, await HealthProbe.HealthProbe.RunAsync([_address], output, TextWriter.Null));
        Assert.Contains("NotServing", output.ToString());
    }

    [Fact]
    public async Task No_server_fails_the_probe()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nobody listens on
        var error = new StringWriter();
        Assert.Equal(1, await HealthProbe.HealthProbe.RunAsync([$"http://127.0.0.1:{port}"], TextWriter.Null, error));
        Assert.Contains("Unavailable", error.ToString());
    }

    [Fact]
    public async Task A_malformed_address_is_a_usage_error() =>
        Assert.Equal(2, await HealthProbe.HealthProbe.RunAsync(["not-a-url"], TextWriter.Null, TextWriter.Null));
}

/// <summary>The probe's HTTP mode, for the images that are not gRPC servers (the identity provider's
/// <c>/healthz/ready</c>, the web app's <c>/health</c>): exit 0 only on a 2xx answer.</summary>
public sealed class HttpHealthProbeTests : IAsyncLifetime
{
    private volatile bool _healthy = true;
    private WebApplication? _server;
    private string _address = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        builder.Services.AddHealthChecks().AddCheck("database", () => _healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        _server = builder.Build();
        _server.MapHealthChecks("/healthz/ready");
        _server.MapGet("/account/login", () => "sign in");
        _server.MapGet("/private", () => Microsoft.AspNetCore.Http.Results.Redirect("/account/login"));
        await _server.StartAsync(TestContext.Current.CancellationToken);
        _address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_ready_server_passes_the_http_probe()
    {
        var output = new StringWriter();
        Assert.Equal(0, await HealthProbe.HealthProbe.RunAsync(["--http", _address + "/healthz/ready"], output, TextWriter.Null));
        Assert.Contains("200 OK", output.ToString());
    }

    [Fact]
    public async Task An_unhealthy_answer_fails_the_http_probe()
    {
        _healthy = false;
        var output = new StringWriter();
        Assert.Equal(1, await HealthProbe.HealthProbe.RunAsync(["--http", _address + "/healthz/ready"], output, TextWriter.Null));
        Assert.Contains("503 ServiceUnavailable", output.ToString());
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_fails_the_http_probe()
    {
        var output = new StringWriter();
        Assert.Equal(1, await HealthProbe.HealthProbe.RunAsync(["--http", _address + "/private"], output, TextWriter.Null));
        Assert.Contains("302", output.ToString());
    }

    [Fact]
    public async Task No_server_fails_the_http_probe()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = new StringWriter();
        Assert.Equal(1, await HealthProbe.HealthProbe.RunAsync(["--http", $"http://127.0.0.1:{port}/healthz/ready"], TextWriter.Null, error));
        Assert.Contains("Unavailable", error.ToString());
    }

    [Theory]
    [InlineData("--http")]
    [InlineData("--http", "not-a-url")]
    [InlineData("--http", "http://127.0.0.1:8080/health", "extra")]
    public async Task A_malformed_http_probe_is_a_usage_error(params string[] args) =>
        Assert.Equal(2, await HealthProbe.HealthProbe.RunAsync(args, TextWriter.Null, TextWriter.Null));

    [Fact]
    public async Task Without_arguments_the_probe_takes_those_the_image_build_wrote_beside_it()
    {
        var folder = Directory.CreateTempSubdirectory("healthprobe-").FullName;
        try
        {
            Assert.Empty(HealthProbe.HealthProbe.EffectiveArguments([], folder)); // no file: the gRPC default address

            await File.WriteAllTextAsync(Path.Combine(folder, HealthProbe.HealthProbe.ArgumentsFile), $"--http {_address}/healthz/ready\n", TestContext.Current.CancellationToken);
            var args = HealthProbe.HealthProbe.EffectiveArguments([], folder);
            Assert.Equal(["--http", _address + "/healthz/ready"], args);
            Assert.Equal(0, await HealthProbe.HealthProbe.RunAsync(args, TextWriter.Null, TextWriter.Null));

            // Arguments given on the command line win over the file.
            Assert.Equal(["http://127.0.0.1:8080", "liveness"], HealthProbe.HealthProbe.EffectiveArguments(["http://127.0.0.1:8080", "liveness"], folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
