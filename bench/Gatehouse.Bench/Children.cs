using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Gatehouse.Bench;

/// <summary>
/// A child process (server, floor, CLI, build) with its output captured into a bounded buffer.
/// Every child is registered so that <see cref="KillAll"/> (called on exit, Ctrl-C, SIGTERM and
/// unhandled exceptions) leaves nothing running.
/// </summary>
internal sealed class Child : IDisposable
{
    private static readonly ConcurrentDictionary<int, Child> Live = new();
    private readonly Queue<string> _tail = new();
    private readonly StringBuilder _stdout = new();
    private readonly bool _keepStdout;
    private readonly int _tailLines;

    public Process Process { get; }
    public string Name { get; }
    public int Pid => Process.Id;

    private Child(string name, ProcessStartInfo psi, bool keepStdout, int tailLines)
    {
        Name = name;
        _keepStdout = keepStdout;
        _tailLines = tailLines;
        Process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        Process.OutputDataReceived += (_, e) => OnLine(e.Data, isStdout: true);
        Process.ErrorDataReceived += (_, e) => OnLine(e.Data, isStdout: false);
        if (!Process.Start()) throw new InvalidOperationException($"could not start {name}");
        Live[Process.Id] = this;
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public static string DotnetHost()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        return "dotnet";
    }

    public static Child Start(string name, string fileName, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string?>? env = null, bool keepStdout = false, int tailLines = 200)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // children never wait on our console
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        return new Child(name, psi, keepStdout, tailLines);
    }

    /// <summary>Runs a short-lived command to completion; returns (exit code, stdout, output tail).</summary>
    public static async Task<(int ExitCode, string Stdout, string Tail)> RunAsync(string name, string fileName,
        IEnumerable<string> args, string workingDirectory, IDictionary<string, string?>? env, TimeSpan timeout,
        CancellationToken ct)
    {
        using var child = Start(name, fileName, args, workingDirectory, env, keepStdout: true, tailLines: 60);
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await child.Process.WaitForExitAsync(timeoutCts.Token);
            child.Process.WaitForExit(); // flush async output handlers
        }
        catch (OperationCanceledException)
        {
            child.Kill();
            if (ct.IsCancellationRequested) throw;
            throw new TimeoutException($"{name} did not finish within {timeout.TotalSeconds:0} s\n{child.Tail()}");
        }
        return (child.Process.ExitCode, child.Stdout(), child.Tail());
    }

    private void OnLine(string? line, bool isStdout)
    {
        if (line is null) return;
        lock (_tail)
        {
            if (isStdout && _keepStdout) _stdout.AppendLine(line);
            _tail.Enqueue(line);
            while (_tail.Count > _tailLines) _tail.Dequeue();
        }
    }

    public string Stdout() { lock (_tail) return _stdout.ToString(); }
    public string Tail() { lock (_tail) return string.Join('\n', _tail); }
    public bool HasExited { get { try { return Process.HasExited; } catch (InvalidOperationException) { return true; } } }

    /// <summary>Throws when the process has exited: exit code (128+N = killed by signal N) and its last output.</summary>
    public void EnsureAlive(string when)
    {
        if (!HasExited) return;
        var code = Process.ExitCode;
        var signal = code switch { 137 => " (SIGKILL: killed from outside, e.g. OOM killer or kill -9)", 143 => " (SIGTERM)", 130 => " (SIGINT)", 134 => " (SIGABRT: runtime abort)", 139 => " (SIGSEGV)", _ => "" };
        var tail = Tail();
        throw new BenchException($"{Name} (pid {Pid}) exited with code {code}{signal} {when}." +
                                 (tail.Length > 0 ? $" Its last output:\n{tail}" : " It printed nothing."));
    }

    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (Exception) { /* already gone */ }
        Live.TryRemove(Process.Id, out _);
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }

    public static void KillAll()
    {
        foreach (var c in Live.Values) c.Kill();
    }
}
