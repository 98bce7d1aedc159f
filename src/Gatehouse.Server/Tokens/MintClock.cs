namespace Gatehouse.Server.Tokens;

/// Microsecond timestamps that strictly increase within a process. Tokens carry one as `iat_us` and a
/// client-wide revocation takes one as its cut-off, so "minted before the revocation" is decided exactly,
/// even within the same second (SPEC 5), where whole-second `iat` cannot decide it.
internal sealed class MintClock(TimeProvider clock)
{
    private long _last;

    public long NextMicroseconds()
    {
        var now = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = now > last ? now : last + 1;
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }
}
