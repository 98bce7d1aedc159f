using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Bench.ResourceServer;

/// The gatehouse server and the sample API as child processes on loopback ports, killed on exit.
internal sealed class Child : IDisposable
{
    private readonly Process _process;

    private Child(Process process, string baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public string BaseAddress { get; }

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<Child> StartAsync(string dll, params string[] arguments)
    {
        var port = FreePort();
        var baseAddress = $"http://127.0.0.1:{port}";
        var start = Dotnet(dll, ["--urls", baseAddress, .. arguments.Select(a => a.Replace("{self}", baseAddress))]);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{Path.GetFileNameWithoutExtension(dll)}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new Child(process, baseAddress);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            if (process.HasExited) throw new InvalidOperationException($"{dll} exited with {process.ExitCode}");
            try
            {
                using var response = await probe.GetAsync(baseAddress + "/healthz");
                if (response.IsSuccessStatusCode) return child;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
        }
        child.Dispose();
        throw new TimeoutException($"{dll} did not become healthy");
    }

    public static async Task<string> RunAsync(string dll, params string[] arguments)
    {
        using var process = Process.Start(Dotnet(dll, arguments))!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', arguments)}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }

    private static ProcessStartInfo Dotnet(string dll, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
