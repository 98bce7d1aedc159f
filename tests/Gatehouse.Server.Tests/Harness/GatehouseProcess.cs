using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// The real gatehouse server as a child process (<c>dotnet gatehouse.dll serve ...</c>) on a
/// loopback port of its own, with its own data directory. Nothing is mocked: the tests talk
/// HTTP to it exactly as a partner would.
/// </summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    static readonly ConcurrentDictionary<int, Process> Running = new();

    readonly Dictionary<string, string> settings;
    readonly bool ownsDataDirectory;
    readonly StringBuilder logs = new();
    readonly object logLock = new();
    Process? process;
    HttpClient? http;
    HttpClient? managementHttp;

    static GatehouseProcess()
    {
        // A test run that is aborted must not leave servers behind on the machine.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var child in Running.Values)
            {
                try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
        };
    }

    GatehouseProcess(string dataDirectory, bool ownsDataDirectory, int port, IReadOnlyDictionary<string, string> settings)
    {
        DataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        Port = port;
        BaseAddress = $"http://127.0.0.1:{port}";
        this.settings = new Dictionary<string, string>(settings, StringComparer.OrdinalIgnoreCase);
        Issuer = this.settings.TryGetValue("Gatehouse:Issuer", out var issuer) ? issuer : BaseAddress;
    }

    public const string ManagementUrlsKey = "Gatehouse:Management:Urls";

    public string DataDirectory { get; }
    public int Port { get; }

    /// <summary>Where /metrics and /readyz are served: the management URL, or the base address when it is configured empty.</summary>
    public string ManagementAddress => settings.TryGetValue(ManagementUrlsKey, out var urls) && urls.Length > 0 ? urls.Split(';')[0].TrimEnd('/') : BaseAddress;

    /// <summary>Requests to the management listener (/metrics, /readyz).</summary>
    public OAuthTestClient Management => new(this, management: true);

    public HttpClient ManagementHttp => managementHttp ?? throw new InvalidOperationException("The server is not running.");

    /// <summary><c>http://127.0.0.1:PORT</c>, no trailing slash.</summary>
    public string BaseAddress { get; }

    /// <summary>The issuer the server was configured with (by default <see cref="BaseAddress"/>).</summary>
    public string Issuer { get; }

    /// <summary>A client for the current process; replaced on restart so no pooled connection outlives a server.</summary>
    public HttpClient Http => http ?? throw new InvalidOperationException("The server is not running.");

    public int? ProcessId => process is { HasExited: false } ? process.Id : null;

    public bool HasExited => process is null || process.HasExited;

    /// <summary>Everything the server wrote to stdout and stderr, across restarts.</summary>
    public string Logs
    {
        get { lock (logLock) return logs.ToString(); }
    }

    public OAuthTestClient OAuth => new(this);

    /// <summary>Whether the process still runs (or how it ended) and the tail of its output, for failure messages.</summary>
    public string Describe(int lines = 40)
    {
        var state = process switch
        {
            null => "not running",
            { HasExited: true } exited => $"exited with code {exited.ExitCode}",
            var running => $"running as pid {running.Id}",
        };
        var tail = Logs.Split('\n').TakeLast(lines);
        return $"gatehouse on {BaseAddress}: {state}. Last output:\n{string.Join('\n', tail)}";
    }

    /// <summary>
    /// Starts a server and waits for <c>GET /healthz</c> to answer 200.
    /// <paramref name="settings"/> are configuration keys such as <c>Gatehouse:Tokens:AccessTokenLifetime</c>.
    /// <c>Gatehouse:Issuer</c> defaults to the server's own base address unless
    /// <paramref name="configureIssuer"/> is false (then the server picks its own default).
    /// </summary>
    public static async Task<GatehouseProcess> StartAsync(
        string? dataDirectory = null,
        IReadOnlyDictionary<string, string>? settings = null,
        bool configureIssuer = true)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= TestDirectories.Create();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var effective = new Dictionary<string, string>(settings ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
            if (configureIssuer && !effective.ContainsKey("Gatehouse:Issuer"))
                effective["Gatehouse:Issuer"] = $"http://127.0.0.1:{port}";
            // /metrics and /readyz on a loopback management port of this server's own (the default, 5081, is shared).
            if (!effective.ContainsKey(ManagementUrlsKey))
                effective[ManagementUrlsKey] = $"http://127.0.0.1:{FreeLoopbackPortOtherThan(port)}";

            var server = new GatehouseProcess(dataDirectory, ownsDirectory, port, effective);
            try
            {
                await server.LaunchAsync();
                return server;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                // Another process took the port between our probe and the server's bind.
                await server.KillProcessAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Graceful stop: SIGTERM, then wait for the process to exit.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited) return;
        if (kill(process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {process.Id} failed with errno {Marshal.GetLastPInvokeError()}.");

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillProcessAsync();
            throw new TimeoutException($"gatehouse did not stop within {StopTimeout.TotalSeconds} s of SIGTERM.\n{Logs}");
        }
        Forget();
    }

    /// <summary>Hard stop: SIGKILL, no chance to flush anything.</summary>
    public Task KillAsync() => KillProcessAsync();

    /// <summary>Stops (gracefully, or with SIGKILL when <paramref name="kill"/>) and starts again on the same port and data directory.</summary>
    public async Task RestartAsync(bool kill = false)
    {
        if (kill) await KillAsync();
        else await StopAsync();

        AppendLog("harness", kill ? "---- killed; restarting ----" : "---- stopped; restarting ----");
        // The port was ours a moment ago; give the kernel a few tries to hand it back.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync();
                return;
            }
            catch (PortTakenException) when (attempt < 20)
            {
                await KillProcessAsync();
                await Task.Delay(250);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillProcessAsync();
        if (ownsDataDirectory) TestDirectories.Delete(DataDirectory);
    }

    async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        start.ArgumentList.Add(GatehouseBinary.DllPath);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress);
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(DataDirectory);
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        foreach (var arg in TestStorage.ArgumentsFor(DataDirectory, settings.Keys)) start.ArgumentList.Add(arg);
        GatehouseBinary.ScrubEnvironment(start.Environment);

        var child = new Process { StartInfo = start, EnableRaisingEvents = true };
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) AppendLog("out", e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) AppendLog("err", e.Data); };
        if (!child.Start()) throw new InvalidOperationException("Could not start dotnet.");
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        process = child;
        Running[child.Id] = child;

        http?.Dispose();
        http = NewHttpClient();
        managementHttp?.Dispose();
        managementHttp = NewHttpClient(ManagementAddress);
        await WaitUntilHealthyAsync(child);
    }

    HttpClient NewHttpClient(string? baseAddress = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
    })
    {
        BaseAddress = new Uri(baseAddress ?? BaseAddress),
        Timeout = TimeSpan.FromSeconds(30),
    };

    async Task WaitUntilHealthyAsync(Process child)
    {
        var deadline = Stopwatch.StartNew();
        using var probe = NewHttpClient();
        probe.Timeout = TimeSpan.FromSeconds(2);
        while (true)
        {
            if (child.HasExited)
            {
                await child.WaitForExitAsync();
                var output = Logs;
                if (output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                    throw new PortTakenException();
                throw new InvalidOperationException(
                    $"gatehouse exited with code {child.ExitCode} before /healthz answered 200.\n{output}");
            }
            try
            {
                using var response = await probe.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }

            if (deadline.Elapsed > StartTimeout)
                throw new TimeoutException($"gatehouse did not answer GET /healthz with 200 within {StartTimeout.TotalSeconds} s.\n{Logs}");
            await Task.Delay(50);
        }
    }

    async Task KillProcessAsync()
    {
        var child = process;
        if (child is null) return;
        try
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(StopTimeout);
                await child.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
        Forget();
    }

    void Forget()
    {
        if (process is null) return;
        Running.TryRemove(process.Id, out _);
        process.Dispose();
        process = null;
    }

    void AppendLog(string stream, string line)
    {
        lock (logLock) logs.Append('[').Append(stream).Append("] ").AppendLine(line);
    }

    /// Two probes in a row may be handed the same just-released port; the management port must differ from the main one.
    static int FreeLoopbackPortOtherThan(int taken)
    {
        while (true)
        {
            var port = FreeLoopbackPort();
            if (port != taken) return port;
        }
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    sealed class PortTakenException : Exception;
}
