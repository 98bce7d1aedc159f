namespace Gatehouse.Bench;

/// <summary>Command-line options. Deliberately hand-parsed: the bench has no dependencies to speak of.</summary>
internal sealed class Options
{
    /// <summary>What `all` (and no --scenario) runs.</summary>
    public static readonly string[] AllScenarios = ["token", "introspect", "discovery", "floor"];

    /// <summary>Every scenario, in the order they run: `scale` needs PostgreSQL and Redis, so only on request.</summary>
    public static readonly string[] KnownScenarios = [.. AllScenarios, "scale"];

    public int DurationSeconds { get; private set; } = 20;
    public int WarmupSeconds { get; private set; } = 5;
    public int Connections { get; private set; } = 32;
    public int Clients { get; private set; } = 8;
    public int Slices { get; private set; } = 4;
    public bool NoBuild { get; private set; }
    public bool Strict { get; private set; }
    public string? Output { get; private set; }
    public string? ServerDll { get; private set; }
    public HashSet<string> Scenarios { get; } = new(StringComparer.Ordinal);

    public bool Wants(string scenario) => Scenarios.Contains(scenario);
    public bool NeedsGatehouse => Wants("token") || Wants("introspect") || Wants("discovery");
    public bool NeedsServerDll => NeedsGatehouse || Wants("scale");

    public const string Usage = """
        Gatehouse load benchmark

          dotnet run -c Release --project bench/Gatehouse.Bench -- [options]

          --duration N       measured seconds per scenario (default 20)
          --warmup N         warm-up seconds per scenario, not measured (default 5)
          --connections N    concurrent keep-alive connections / worker tasks (default 32)
          --clients N        OAuth clients provisioned in Gatehouse (default 8)
          --scenario S       all | token | introspect | discovery | floor | scale, comma-separated (default all;
                             `all` does not include scale: 2 nodes vs 1 on PostgreSQL + Redis, see bench/README.md)
          --slices N         when token and floor both run (and between scale's cases), alternate them in N measured slices (default 4)
          --no-build         do not run `dotnet build -c Release` on the server and floor first
          --server-dll PATH  use this gatehouse.dll instead of src/Gatehouse.Server's Release output
          --output PATH      Markdown results file (default bench/results/latest.md; bench/results/scale.md when only scale runs)
          --strict           exit 2 when a target (ratio, p99, RSS) is missed
          -h, --help         this text
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }

            int Positive()
            {
                var v = Value();
                if (!int.TryParse(v, out var n) || n <= 0) throw new ArgumentException($"{arg}: '{v}' is not a positive integer");
                return n;
            }

            switch (arg)
            {
                case "--duration": o.DurationSeconds = Positive(); break;
                case "--warmup":
                    var w = Value();
                    if (!int.TryParse(w, out var wn) || wn < 0) throw new ArgumentException($"--warmup: '{w}' is not a non-negative integer");
                    o.WarmupSeconds = wn;
                    break;
                case "--connections": o.Connections = Positive(); break;
                case "--clients": o.Clients = Positive(); break;
                case "--slices": o.Slices = Positive(); break;
                case "--no-build": o.NoBuild = true; break;
                case "--strict": o.Strict = true; break;
                case "--output": o.Output = Value(); break;
                case "--server-dll": o.ServerDll = Value(); break;
                case "--scenario":
                    foreach (var s in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (s == "all") { foreach (var a in AllScenarios) o.Scenarios.Add(a); }
                        else if (Array.IndexOf(KnownScenarios, s) >= 0) o.Scenarios.Add(s);
                        else throw new ArgumentException($"--scenario: unknown scenario '{s}' (all|token|introspect|discovery|floor|scale)");
                    }
                    break;
                case "-h" or "--help" or "-?":
                    throw new HelpRequestedException();
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (o.Scenarios.Count == 0)
            foreach (var a in AllScenarios) o.Scenarios.Add(a);
        return o;
    }
}

internal sealed class HelpRequestedException : Exception;
