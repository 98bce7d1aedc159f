using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>A sample app (samples/*) as a child process on a loopback port of its own, like a partner would run it.</summary>
public sealed class SampleAppProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder logs = new();

    SampleAppProcess(Process process, string baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public string BaseAddress { get; }

    public string Logs { get { lock (logs) return logs.ToString(); } }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="host">localhost, so the app's cookies never mix with the server's on 127.0.0.1.</param>
    public static async Task<SampleAppProcess> StartAsync(string dll, int port, IReadOnlyDictionary<string, string> settings, string host = "localhost")
    {
        var baseAddress = $"http://{host}:{port}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        GatehouseBinary.ScrubEnvironment(start.Environment);
        var process = new Process { StartInfo = start };
        var app = new SampleAppProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (app.logs) app.logs.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (app.logs) app.logs.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited) throw new InvalidOperationException($"{dll} exited early:\n{app.Logs}");
            try
            {
                if ((await probe.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"{dll} did not answer /healthz:\n{app.Logs}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
