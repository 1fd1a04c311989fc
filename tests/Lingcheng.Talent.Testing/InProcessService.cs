using System.Diagnostics;
using System.Text;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// A service hosted in the test process (WebApplicationFactory) with the settings a <see cref="ServiceProcess"/>
/// would get from its environment, and services replaced the way only a test may (a clock that runs ahead). It
/// talks to the other services over their real ports; its log is kept, as a process's output is.
/// </summary>
/// <typeparam name="TEntryPoint">Any type of the service's assembly (each service has its own <c>Program</c>).</typeparam>
public sealed class InProcessService<TEntryPoint>(IReadOnlyDictionary<string, string> environment, Action<IServiceCollection> replace)
    : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    private readonly LogCapture _log = new();
    private GrpcChannel? _channel;

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress,
        new GrpcChannelOptions { HttpHandler = Server.CreateHandler(), MaxReceiveMessageSize = 16 * 1024 * 1024 });

    /// <summary>Everything the service logged.</summary>
    public string Output => _log.ToString();

    /// <summary>Starts the service and waits until its health check answers SERVING (its caches caught up).</summary>
    public async Task<InProcessService<TEntryPoint>> StartAsync(TimeSpan within)
    {
        var health = new Health.HealthClient(Channel);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
            if (status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return this;
            }

            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"the in-process service was still {status} after {within.TotalSeconds:F0} s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in environment)
        {
            if (key is "ASPNETCORE_ENVIRONMENT" or "DOTNET_ENVIRONMENT")
            {
                builder.UseEnvironment(value);
            }
            else
            {
                builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
            }
        }

        builder.ConfigureLogging(logging => logging.AddProvider(_log));
        builder.ConfigureTestServices(replace);
    }

    protected override void Dispose(bool disposing)
    {
        _channel?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Keeps every log line (level, category, message, exception) in memory.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly StringBuilder _text = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }

        public void Dispose()
        {
        }

        private void Append(string line)
        {
            lock (_text)
            {
                _text.AppendLine(line);
            }
        }

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    capture.Append($"{logLevel}: {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
                }
            }
        }
    }
}
