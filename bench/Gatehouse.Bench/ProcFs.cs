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

    /// <summary>utime + stime of the process in clock ticks; null when it is gone or unreadable.</summary>
    public static long? CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture)
                 + long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception) { return null; }
    }

    public static double TicksToSeconds(long ticks) => ticks / ClockTicksPerSecond;

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
