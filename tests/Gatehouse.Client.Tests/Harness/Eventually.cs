using System.Diagnostics;

namespace Gatehouse.Testing;

/// Polls for something that happens in the background, with a deadline instead of a fixed sleep.
public static class Eventually
{
    public static async Task<TimeSpan> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return clock.Elapsed;
            if (clock.Elapsed > timeout) throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}");
            await Task.Delay(100);
        }
    }

    public static Task<TimeSpan> TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what);
}
