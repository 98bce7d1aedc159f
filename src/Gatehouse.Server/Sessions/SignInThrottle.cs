using System.Net;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Sessions;

/// SPEC 8: after 5 failed sign-ins for one account, or 20 from one address, within 15 minutes, further
/// attempts are refused (even with the right password). Only failures count, not refused attempts, so a
/// lock ends at most one window after the failure that started it: an attacker cannot extend it for ever
/// without spending new failures, and cannot lock a person out for longer than the window. Counted in the
/// store, so the limit holds across nodes. IPv6 addresses count per /64 (one host's whole allocation).
internal sealed class SignInThrottle(ISignInFailureStore failures, TimeProvider clock, IOptions<GatehouseOptions> options)
{
    private readonly SignInOptions _options = options.Value.SignIn;

    public async Task<bool> IsThrottledAsync(string email, IPAddress? address, CancellationToken ct)
    {
        var since = clock.GetUtcNow() - _options.FailureWindow;
        return await failures.CountSinceAsync(AccountKey(email), since, ct) >= _options.FailuresPerAccount
            || await failures.CountSinceAsync(AddressKey(address), since, ct) >= _options.FailuresPerAddress;
    }

    public Task RecordFailureAsync(string email, IPAddress? address, CancellationToken ct) =>
        failures.RecordAsync([AccountKey(email), AddressKey(address)], clock.GetUtcNow(), ct);

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
