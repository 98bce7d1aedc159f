using System.Collections.Concurrent;

namespace Gatehouse.Server.Tokens;

/// Revoked access tokens by jti, in memory for introspection; the store is the source of truth.
internal sealed class RevocationList(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    public bool IsRevoked(string jti) => _revoked.ContainsKey(jti);

    public void Add(string jti, DateTimeOffset expiresAt) => _revoked[jti] = expiresAt;

    /// A revoked token that has expired is inactive anyway: forget it.
    public void PruneExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (jti, expiresAt) in _revoked)
            if (expiresAt <= now) _revoked.TryRemove(jti, out _);
    }
}
