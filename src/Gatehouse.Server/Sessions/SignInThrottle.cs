using System.Net;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Sessions;

/// SPEC 8: after 5 failed sign-ins for one account, or 20 from one address, within 15 minutes, further
/// attempts are refused (even with the right password). Each attempt is recorded before its password is
/// checked and counted with the others, so parallel guesses cannot slip past the limit; an attempt that
/// succeeds, or is refused, is forgotten. So only failures remain, and a lock ends at most one window after the
/// failure that started it: an attacker cannot extend it without spending new failures, nor lock a person out
/// for longer than the window. Counted in the store, so the limit holds across nodes. IPv6 addresses count
/// per /64 (one host's whole allocation).
internal sealed class SignInThrottle(ISignInFailureStore failures, TimeProvider clock, IOptions<GatehouseOptions> options)
{
    private readonly SignInOptions _options = options.Value.SignIn;

    /// Records the attempt; null when the account or the address is over its limit (the attempt then counts not).
    public async Task<string?> BeginAttemptAsync(string email, IPAddress? address, CancellationToken ct)
    {
        var attempt = Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        string[] keys = [AccountKey(email), AddressKey(address)];
        await failures.RecordAsync(attempt, keys, now, ct);
        var since = now - _options.FailureWindow;
        // "> limit": this attempt is among the rows counted.
        if (await failures.CountSinceAsync(keys[0], since, ct) > _options.FailuresPerAccount ||
            await failures.CountSinceAsync(keys[1], since, ct) > _options.FailuresPerAddress)
        {
            await failures.ForgetAsync(attempt, ct);
            return null;
        }
        return attempt;
    }

    /// The attempt did not fail (the password was right): it is not a failure to count.
    public Task SucceededAsync(string attempt, CancellationToken ct) => failures.ForgetAsync(attempt, ct);

    public Task PruneAsync(CancellationToken ct) => failures.PruneAsync(clock.GetUtcNow() - _options.FailureWindow, ct);

    private static string AccountKey(string email) => "account:" + Users.User.EmailKey(email);

    private static string AddressKey(IPAddress? address)
    {
        if (address is null) return "address:unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return "address:" + address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return "address:" + new IPAddress(bytes) + "/64";
    }
}
