using System.Diagnostics;
using Xunit.Sdk;

namespace Gatehouse.Server.Tests.Harness;

/// Polls for something the server does asynchronously (CLI changes, key rotation, expiry),
/// with a hard bound: the bound is part of the contract under test.
public static class Eventually
{
    public static async Task<T> Within<T>(TimeSpan bound, Func<Task<T>> probe, Func<T, bool> done, string what,
        TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var started = clock.Elapsed;
            var value = await probe();
            if (done(value)) return value;
            if (started >= bound)
                throw new XunitException($"Not true within {bound.TotalMilliseconds:0} ms: {what}. Last observation:\n{value}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
