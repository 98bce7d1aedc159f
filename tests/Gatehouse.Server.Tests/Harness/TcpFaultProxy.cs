using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// A loopback TCP forwarder between a server and one of its dependencies (PostgreSQL, Redis), so a test can
/// make the dependency unreachable for a while — connections reset, new ones refused — and bring it back,
/// without disturbing anything else that uses the real dependency.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<TcpClient> open = [];
    private readonly Task acceptLoop;
    private volatile bool down;

    public TcpFaultProxy(string targetHost, int targetPort)
    {
        target = new IPEndPoint(Dns.GetHostAddresses(targetHost).First(a => a.AddressFamily == AddressFamily.InterNetwork), targetPort);
        listener.Start();
        acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        down = true;
        lock (open)
        {
            foreach (var client in open)
            {
                try
                {
                    if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
                    client.Close();
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException) { }
            }
            open.Clear();
        }
    }

    public void Restore() => down = false;

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient incoming;
            try { incoming = await listener.AcceptTcpClientAsync(stopping.Token); }
            catch (Exception) when (stopping.IsCancellationRequested) { return; }
            if (down)
            {
                incoming.Client.LingerState = new LingerOption(true, 0); // RST: "connection refused/reset" to the caller
                incoming.Close();
                continue;
            }
            _ = ForwardAsync(incoming);
        }
    }

    private async Task ForwardAsync(TcpClient incoming)
    {
        var outgoing = new TcpClient();
        try
        {
            await outgoing.ConnectAsync(target, stopping.Token);
            lock (open) { open.Add(incoming); open.Add(outgoing); }
            var a = incoming.GetStream();
            var b = outgoing.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, stopping.Token), b.CopyToAsync(a, stopping.Token));
        }
        catch (Exception) { }
        finally
        {
            incoming.Close();
            outgoing.Close();
            lock (open) { open.Remove(incoming); open.Remove(outgoing); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Stop();
        Cut();
        try { await acceptLoop; } catch (Exception) { }
    }
}
