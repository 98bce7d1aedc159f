using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Testing;

/// <summary>
/// The real gatehouse server as a child process (<c>dotnet gatehouse.dll serve</c>) on a free loopback port
/// with its own data directory; nothing is mocked.
/// </summary>
public sealed class GatehouseServer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly StringBuilder _logs = new();
    private Process? _process;

    static GatehouseServer()
    {
        // An aborted run must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var child in Running.Values)
                try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        };
    }

    private GatehouseServer(string dataDirectory, int port)
    {
        DataDirectory = dataDirectory;
        Issuer = $"http://127.0.0.1:{port}";
    }

    public string DataDirectory { get; }

    /// <summary>The issuer and base address, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Issuer { get; }

    public string Logs
    {
        get { lock (_logs) return _logs.ToString(); }
    }

    /// <summary>Starts a server on <paramref name="dataDirectory"/> (clients may already be in it) and waits for /healthz.</summary>
    public static async Task<GatehouseServer> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new GatehouseServer(dataDirectory, FreeLoopbackPort());
            try
            {
                await server.LaunchAsync(settings ?? new Dictionary<string, string>());
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Logs.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
        }
    }

    private async Task LaunchAsync(IReadOnlyDictionary<string, string> settings)
    {
        // Gatehouse:Management:Urls empty: /metrics and /readyz on this server's own port (the default, 5081, is shared).
        var start = GatehouseBinary.StartInfo("serve", "--urls", Issuer, "--data-dir", DataDirectory, $"--Gatehouse:Issuer={Issuer}",
            "--Gatehouse:Management:Urls=");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) => Append(e.Data);
        child.ErrorDataReceived += (_, e) => Append(e.Data);
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        _process = child;
        Running[child.Id] = child;

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (child.HasExited) throw new InvalidOperationException($"gatehouse exited with {child.ExitCode}:\n{Logs}");
            try
            {
                using var response = await probe.GetAsync(Issuer + "/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"gatehouse did not answer /healthz within 30 s:\n{Logs}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_logs) _logs.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } child)
        {
            try
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                    await child.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException) { }
            Running.TryRemove(child.Id, out _);
            child.Dispose();
            _process = null;
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
