using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.RateLimiting;

/// Slows secret guessing (SPEC 4: "repeated failed authentication from one address is throttled";
/// docs/hardening.md item 6). Checked before anything the caller presented is evaluated:
///  1. A network (an IPv4 address, an IPv6 /64) with `FailedAuthenticationsPerMinute` recent failures gets 429,
///     whether or not its next secret is right: a throttled network gets no more answers.
///  2. A claimed client_id with `FailedAuthenticationsPerClientPerMinute` recent failures, from anywhere, is
///     under attack: any network that has failed recently gets 429 for it.
/// Otherwise the request is evaluated, and failures are recorded against both the network and the claimed id.
/// The promise: a correct secret from a network with no recent failures is always served, so an attacker
/// cannot lock a client out from elsewhere.
///
/// "Recent" is the current one-minute window plus the previous one. Failures are counted in count-min sketches
/// (fixed arrays, keyed by a per-process random seed), so memory is the same whatever the number of addresses
/// or client ids sprayed at it. A sketch can over-count but never under-count: spraying cannot hide a failing
/// network, and only tens of thousands of distinct failing networks within two minutes could make a clean one
/// look failed (docs/hardening.md).
internal sealed class FailedAuthenticationThrottle
{
    private const int Depth = 3;
    private const int Width = 1 << 15; // cells per row: Depth × Width × 4 bytes × 2 sketches × 2 windows = 1.5 MiB
    private static readonly long WindowTicks = TimeSpan.FromMinutes(1).Ticks;

    private readonly int _perNetwork;
    private readonly int _perClient;
    private readonly TimeProvider _clock;
    private readonly int[] _seeds = [RandomNumberGenerator.GetInt32(int.MaxValue), RandomNumberGenerator.GetInt32(int.MaxValue), RandomNumberGenerator.GetInt32(int.MaxValue)];
    private readonly Lock _rotation = new();
    private Window _current = new();
    private Window _previous = new();
    private long _windowEndsAt;

    public FailedAuthenticationThrottle(IOptions<GatehouseOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _perNetwork = options.Value.RateLimits.FailedAuthenticationsPerMinute;
        _perClient = options.Value.RateLimits.FailedAuthenticationsPerClientPerMinute ?? _perNetwork;
        _windowEndsAt = clock.GetUtcNow().UtcTicks + WindowTicks;
    }

    /// Fixed memory, whatever is sprayed at it.
    public const int MemoryBytes = Depth * Width * sizeof(int) * 2 * 2;

    /// True when the request must get 429 before its credentials are looked at.
    public bool IsRefused(IPAddress? address, string? clientId, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        var now = Rotate();
        var current = _current;
        var previous = _previous;
        if (Volatile.Read(ref current.Failures) == 0 && Volatile.Read(ref previous.Failures) == 0) return false; // the common case

        var network = NetworkKey(address);
        var (networkNow, networkRecent) = Count(current.Networks, previous.Networks, network);
        var windowLeft = _windowEndsAt - now;
        if (networkRecent >= _perNetwork)
        {
            retryAfterSeconds = Seconds(networkNow >= _perNetwork ? windowLeft + WindowTicks : windowLeft);
            return true;
        }
        if (networkRecent == 0 || clientId is null) return false;
        var (clientNow, clientRecent) = Count(current.Clients, previous.Clients, ClientKey(clientId));
        if (clientRecent < _perClient) return false;
        // Until either the network's or the client id's failures age out.
        var networkClears = networkNow > 0 ? windowLeft + WindowTicks : windowLeft;
        var clientClears = clientNow >= _perClient ? windowLeft + WindowTicks : windowLeft;
        retryAfterSeconds = Seconds(Math.Min(networkClears, clientClears));
        return true;
    }

    public void RecordFailure(IPAddress? address, string? clientId)
    {
        Rotate();
        var window = _current;
        Interlocked.Increment(ref window.Failures);
        Increment(window.Networks, NetworkKey(address));
        if (clientId is not null) Increment(window.Clients, ClientKey(clientId));
    }

    /// IPv4 per address; IPv6 per /64, the smallest network a site is normally given (RFC 6177), so one host
    /// cannot step through its 2^64 addresses. IPv4-mapped IPv6 counts as the IPv4 address.
    internal static ulong NetworkKey(IPAddress? address)
    {
        if (address is null) return 0;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written)) return 0;
        return address.AddressFamily == AddressFamily.InterNetwork
            ? 0xFFFF_0000_0000_0000UL | System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[..written])
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]);
    }

    private static ulong ClientKey(string clientId) => (ulong)(uint)string.GetHashCode(clientId.AsSpan()); // randomized per process

    private int Cell(int row, ulong key) => row * Width + (HashCode.Combine(key, _seeds[row]) & (Width - 1));

    private void Increment(int[] sketch, ulong key)
    {
        for (var row = 0; row < Depth; row++) Interlocked.Increment(ref sketch[Cell(row, key)]);
    }

    /// The count-min estimate in the current window, and in the current and previous windows together.
    private (int Now, int Recent) Count(int[] current, int[] previous, ulong key)
    {
        int now = int.MaxValue, recent = int.MaxValue;
        for (var row = 0; row < Depth; row++)
        {
            var cell = Cell(row, key);
            var inCurrent = Volatile.Read(ref current[cell]);
            now = Math.Min(now, inCurrent);
            recent = Math.Min(recent, inCurrent + Volatile.Read(ref previous[cell]));
        }
        return (now, recent);
    }

    /// Starts a new window when the current one has ended; returns the time now (ticks).
    private long Rotate()
    {
        var now = _clock.GetUtcNow().UtcTicks;
        if (now < Volatile.Read(ref _windowEndsAt)) return now;
        lock (_rotation)
        {
            if (now < _windowEndsAt) return now;
            var recycled = _previous;
            recycled.Clear();
            if (now >= _windowEndsAt + WindowTicks)
            {
                // Quiet for a whole window: what the current window holds is too old to count as well.
                _current.Clear();
            }
            else
            {
                _previous = _current;
                _current = recycled;
            }
            Volatile.Write(ref _windowEndsAt, now + WindowTicks);
        }
        return now;
    }

    private static int Seconds(long ticks) => Math.Max(1, (int)Math.Ceiling(ticks / (double)TimeSpan.TicksPerSecond));

    private sealed class Window
    {
        public readonly int[] Networks = new int[Depth * Width];
        public readonly int[] Clients = new int[Depth * Width];
        public int Failures;

        public void Clear()
        {
            Array.Clear(Networks);
            Array.Clear(Clients);
            Failures = 0;
        }
    }
}
