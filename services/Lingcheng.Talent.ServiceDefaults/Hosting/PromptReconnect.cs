using Microsoft.Extensions.DependencyInjection;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Keeps a channel to another service trying to connect every couple of seconds while that service
/// is down. Grpc.Net.Client spaces its connection attempts exponentially, up to 120 s by default,
/// and while it waits every call fails at once with UNAVAILABLE without trying to connect. A feed
/// consumer that retries every 2 s therefore stayed disconnected long after the registry was back:
/// after a 60 s registry outage a revocation reached the verification service 41 s after it was
/// made (reliability suite, docs/reliability.md). With this, within about 2 s.
/// </summary>
public static class PromptReconnect
{
    /// <summary>The longest wait between two connection attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>Caps the channel's reconnect backoff at <see cref="MaxBackoff"/>.</summary>
    public static IHttpClientBuilder WithPromptReconnect(this IHttpClientBuilder builder) =>
        builder.ConfigureChannel(o =>
        {
            o.InitialReconnectBackoff = TimeSpan.FromMilliseconds(250);
            o.MaxReconnectBackoff = MaxBackoff;
        });
}
