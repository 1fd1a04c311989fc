using System.Net;
using System.Net.Sockets;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// A TCP proxy on a loopback port in front of a service, to play a connection that dies silently:
/// <see cref="Stall"/> stops forwarding on every connection open at that moment, in both directions,
/// without closing anything — the peer that vanished without a FIN, the middlebox that dropped the flow.
/// Connections opened afterwards are forwarded as usual, so a client that notices the stall and
/// reconnects gets through.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private readonly int _targetPort;
    private int _connections;

    public StallingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>How many connections the proxy has accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Stops forwarding on every open connection, leaving them open; returns how many were stalled.</summary>
    public int Stall()
    {
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Stalled = true;
            }

            return _links.Count;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            var link = new Link(client, server);
            lock (_links)
            {
                _links.Add(link);
            }

            _ = Task.WhenAll(PumpAsync(link, client.GetStream(), server.GetStream()), PumpAsync(link, server.GetStream(), client.GetStream()))
                .ContinueWith(_ =>
                {
                    lock (_links)
                    {
                        _links.Remove(link);
                    }

                    link.Dispose();
                }, TaskScheduler.Default);
        }
    }

    private async Task PumpAsync(Link link, NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (link.Stalled)
                {
                    // Silent from now on: nothing forwarded, nothing closed, until the proxy is disposed.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                if (read == 0)
                {
                    break;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception)
        {
            // closed by either side or by Dispose
        }
        finally
        {
            link.Dispose(); // one side closed: close the other (a stalled link never gets here before Dispose)
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }

        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }

            _links.Clear();
        }

        _stop.Dispose();
    }

    private sealed class Link(TcpClient client, TcpClient server) : IDisposable
    {
        private volatile bool _stalled;

        public bool Stalled
        {
            get => _stalled;
            set => _stalled = value;
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
