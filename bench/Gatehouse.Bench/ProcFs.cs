namespace Gatehouse.Bench;

/// <summary>Linux /proc readings: resident memory and CPU time of a process.</summary>
internal static class ProcFs
{
    // USER_HZ: 100 on every Linux build that matters (sysconf(_SC_CLK_TCK)).
    private const double ClockTicksPerSecond = 100.0;

    /// <summary>A "VmXxx:  1234 kB" line of /proc/PID/status, in kB; null when unreadable.</summary>
    public static long? StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal) || line.Length <= field.Length || line[field.Length] != ':') continue;
                var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception) { }
        return null;
    }

    /// <summary>Resets VmHWM to the current RSS (clear_refs "5", Linux 4.0+). False when not allowed.</summary>
    public static bool ResetPeakRss(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception) { return false; }
    }

    /// <summary>User + system CPU time of the whole process (all threads), in seconds.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after "(comm)": state(3) ppid(4) ... utime(14) stime(15).
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture);
            var stime = long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (Exception) { return null; }
    }

    /// <summary>
    /// utime + stime summed over every process whose command name (comm) is <paramref name="comm"/>, e.g. all
    /// PostgreSQL backends. Processes that start or end in between make this approximate; null when /proc is unreadable.
    /// </summary>
    public static double? CommandCpuSeconds(string comm)
    {
        try
        {
            long ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir);
                if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || stat.AsSpan(open + 1, close - open - 1).SequenceEqual(comm) is false) continue;
                    var rest = stat[(close + 2)..].Split(' ');
                    ticks += long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture)
                           + long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception) { /* exited meanwhile */ }
            }
            return ticks / ClockTicksPerSecond;
        }
        catch (Exception) { return null; }
    }

    /// <summary>Machine-wide jiffies from /proc/stat: (busy = not idle/iowait/steal, steal, total).</summary>
    public static (long Busy, long Steal, long Total)? MachineJiffies()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal
            var total = f.Sum();
            var idle = f[3] + f[4];
            var steal = f.Length > 7 ? f[7] : 0;
            return (total - idle - steal, steal, total);
        }
        catch (Exception) { return null; }
    }

    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (Exception) { }
        return "unknown CPU";
    }
}
