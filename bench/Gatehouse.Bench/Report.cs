using System.Globalization;
using System.Text;

namespace Gatehouse.Bench;

internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Problems(string scenario, List<string> problems)
    {
        if (problems.Count == 0)
        {
            Console.WriteLine($"[{scenario}] functional check passed (one fully parsed request per distinct request shape)");
            return;
        }
        Console.WriteLine($"[{scenario}] FUNCTIONAL CHECK FAILED for {problems.Count} request shape(s); running the load anyway:");
        foreach (var p in problems) Console.WriteLine("    " + p);
    }

    public static ScenarioResult Scenario(ScenarioResult r, Options o, params Child[] processes)
    {
        var unit = r.Name is "token" or "floor" ? "tokens/s" : "req/s";
        Console.WriteLine($"== {r.Name}: {r.Target} ==");
        Console.WriteLine($"  load        {o.Connections} workers, {r.ConnectionsOpened} TCP connections opened in total (keep-alive: more than {o.Connections} means reconnects), {r.Total:N0} requests measured in {r.Seconds:0} s");
        if (r.Note is not null) Console.WriteLine($"  note        {r.Note}");
        Console.WriteLine($"  {unit,-11} {F(r.Rps, 1)}");
        Console.WriteLine($"  latency ms  p50 {F(r.PercentileMs(50), 2)}  p99 {F(r.PercentileMs(99), 2)}  p99.9 {F(r.PercentileMs(99.9), 2)}  max {F(r.MaxMs, 2)}  mean {F(r.MeanMs, 2)}");
        Console.WriteLine($"  errors      {r.Errors} measured, {r.WarmupErrors} in warmup (must be 0)");
        if (!r.ErrorLog.IsEmpty)
            foreach (var line in r.ErrorLog.Lines()) Console.WriteLine("    " + line);
        if (r.Dropped > 0) Console.WriteLine($"  note        {r.Dropped} latencies beyond the preallocated array were counted but not kept");
        Console.WriteLine($"  CPU         server {F(r.ServerCpuPercent, 0)}%, load generator {F(r.BenchCpuPercent, 0)}%, " +
                          $"other processes {F(r.OtherCpuPercent, 0)}%, hypervisor steal {F(r.StealCpuPercent, 0)}% " +
                          $"(of {Environment.ProcessorCount * 100}% on {Environment.ProcessorCount} shared cores)");
        if (r.OtherCpuPercent + r.StealCpuPercent > 15)
            Console.WriteLine("  WARNING     other processes / the hypervisor took noticeable CPU during this scenario: its figures are pessimistic and noisy");
        var nodes = r.Nodes > 1 ? $" (sum over the {r.Nodes} server processes)" : "";
        Console.WriteLine($"  server CPU  {F(r.ServerCpuMicrosPerRequest, 0)} us per successful request{nodes} (CPU time / requests: little affected by other load)");
        if (!r.PeakRssReset && r.PeakRssMb is not null)
            Console.WriteLine("  note        could not reset VmHWM via /proc/PID/clear_refs: the peak below is the process-lifetime peak");
        var perNode = r.Nodes > 1 ? $" (highest of the {r.Nodes} server processes)" : "";
        Console.WriteLine($"  server RSS  peak {F(r.PeakRssMb, 1)} MB during this scenario (VmHWM), {F(r.RssMb, 1)} MB at the end (VmRSS), {F(r.MaxSampledRssMb, 1)} MB max sampled{perNode}");
        foreach (var process in processes)
            if (process.HasExited) Console.WriteLine($"  WARNING     {process.Name} exited during the run:\n{process.Tail()}");
        Console.WriteLine();
        return r;
    }

    public static (string Markdown, bool TargetsMet) Summary(List<ScenarioResult> results, Options o, string machine,
        double? serverLifetimePeakMb, double targetRatio, double targetP99Ms, double targetRssMb)
    {
        var sb = new StringBuilder();
        var cores = Environment.ProcessorCount;
        sb.AppendLine("## Load benchmark results");
        sb.AppendLine();
        sb.AppendLine($"Run {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", Inv)} UTC with " +
                      $"`dotnet run -c Release --project bench/Gatehouse.Bench -- --duration {o.DurationSeconds} --connections {o.Connections} " +
                      $"--scenario {string.Join(',', Options.AllScenarios.Where(o.Wants))}`");
        sb.AppendLine($"on {machine}.");
        sb.AppendLine($"{o.Connections} keep-alive HTTP/1.1 connections, closed loop, {o.WarmupSeconds} s warmup + {o.DurationSeconds} s measured per scenario, {o.Clients} clients " +
                      "(half `client_secret_basic`, half `client_secret_post`, half of them narrowing `scope`).");
        sb.AppendLine($"**The load generator runs on the same {cores} cores as the server**, so these are lower bounds for the server alone; " +
                      "the floor row is measured the same way, which is what makes the ratio meaningful.");
        if (results.Any(r => r.Name == "token") && results.Any(r => r.Name == "floor"))
            sb.AppendLine($"Token and floor were measured in {o.Slices} alternating slices each, so other load on the machine affects both alike.");
        sb.AppendLine();
        sb.AppendLine("| scenario | req/s | p50 ms | p99 ms | errors | peak RSS MB |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            sb.AppendLine($"| {r.Name}: {r.Target} | {F(r.Rps, 0)} | {F(r.PercentileMs(50), 2)} | {F(r.PercentileMs(99), 2)} | {r.Errors + r.WarmupErrors} | {F(r.PeakRssMb, 0)} |");
        sb.AppendLine();

        var token = results.FirstOrDefault(r => r.Name == "token");
        var floor = results.FirstOrDefault(r => r.Name == "floor");
        var met = true;
        if (token is not null || floor is not null)
        {
            sb.AppendLine("| target (token endpoint) | figure | met |");
            sb.AppendLine("| --- | ---: | --- |");
            if (token is not null && floor is not null && floor.Rps > 0)
            {
                var ratio = token.Rps / floor.Rps;
                met &= ratio >= targetRatio;
                sb.AppendLine($"| throughput / floor throughput >= {F(targetRatio, 1)} | {F(ratio, 2)} ({F(token.Rps, 0)} / {F(floor.Rps, 0)}) | {YesNo(ratio >= targetRatio)} |");
                if (token.ServerCpuMicrosPerRequest is double tu && floor.ServerCpuMicrosPerRequest is double fu && tu > 0)
                    sb.AppendLine($"| (informational) floor CPU per token / server CPU per token | {F(fu / tu, 2)} ({F(fu, 0)} us / {F(tu, 0)} us) | - |");
            }
            else
            {
                sb.AppendLine($"| throughput / floor throughput >= {F(targetRatio, 1)} | not measured (run token and floor together) | - |");
            }
            if (token is not null)
            {
                var p99 = token.PercentileMs(99);
                met &= p99 <= targetP99Ms;
                sb.AppendLine($"| p99 latency <= {F(targetP99Ms, 0)} ms | {F(p99, 2)} ms (p99.9 {F(token.PercentileMs(99.9), 2)} ms) | {YesNo(p99 <= targetP99Ms)} |");
            }
            if (serverLifetimePeakMb is double peak)
            {
                met &= peak <= targetRssMb;
                sb.AppendLine($"| server peak RSS <= {F(targetRssMb, 0)} MB (VmHWM, whole run) | {F(peak, 1)} MB | {YesNo(peak <= targetRssMb)} |");
            }
            sb.AppendLine();
        }

        var cpu = results.Where(r => r.ServerCpuPercent is not null)
            .Select(r => $"{r.Name} {F(r.ServerCpuPercent, 0)}% / {F(r.BenchCpuPercent, 0)}% / {F(r.OtherCpuPercent, 0)}%");
        sb.AppendLine($"CPU during the measured window, server / load generator / everything else on the machine (of {cores * 100}%): {string.Join(", ", cpu)}.");
        var noisy = results.Where(r => r.OtherCpuPercent + r.StealCpuPercent > 15).Select(r => r.Name).ToList();
        if (noisy.Count > 0)
            sb.AppendLine($"Other processes or hypervisor steal took over 15% of the CPU during: {string.Join(", ", noisy)}; those rows are pessimistic.");
        return (sb.ToString(), met);
    }

    private static string YesNo(bool b) => b ? "yes" : "**no**";

    internal static string F(double? v, int decimals) =>
        v is double d && !double.IsNaN(d) ? d.ToString("N" + decimals.ToString(Inv), Inv) : "n/a";
}
