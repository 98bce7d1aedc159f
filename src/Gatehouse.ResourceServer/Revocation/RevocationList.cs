using System.Collections.Frozen;

namespace Gatehouse.ResourceServer.Revocation;

/// What the revocation feed has said so far: revoked token ids (until they expire, plus ClockSkew) and per-client cut-offs.
/// Read on every request without locks; replaced as a whole by the single feed follower.
internal sealed class RevocationList(TimeProvider time, TimeSpan clockSkew)
{
    // JwtBearer accepts a token until exp + ClockSkew, so its revocation has to be remembered that long too.
    private readonly long _keepAfterExpSeconds = (long)Math.Ceiling(clockSkew.TotalSeconds);

    private sealed record Snapshot(FrozenDictionary<string, long> TokenExpiries, FrozenDictionary<string, long> ClientCutoffs)
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, long>.Empty, FrozenDictionary<string, long>.Empty);
    }

    private volatile Snapshot _snapshot = Snapshot.Empty;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// Completes once the feed has been read to its end (or is known to be unavailable).
    public Task FirstSync => _firstSync.Task;

    public bool IsEmpty
    {
        get
        {
            var snapshot = _snapshot;
            return snapshot.TokenExpiries.Count == 0 && snapshot.ClientCutoffs.Count == 0;
        }
    }

    // issuedAtMicroseconds is the token's iat_us; without it, iat × 10⁶, which errs towards revoking a
    // token minted in the same second as the cut-off.
    public bool IsRevoked(string? jti, string? clientId, long issuedAtMicroseconds)
    {
        var snapshot = _snapshot;
        if (jti is not null && snapshot.TokenExpiries.ContainsKey(jti)) return true;
        return clientId is not null && snapshot.ClientCutoffs.TryGetValue(clientId, out var cutoff) && issuedAtMicroseconds < cutoff;
    }

    public void Apply(IReadOnlyCollection<RevocationEntry> entries)
    {
        var oldestKept = time.GetUtcNow().ToUnixTimeSeconds() - _keepAfterExpSeconds;
        var current = _snapshot;
        var tokens = current.TokenExpiries.Where(t => t.Value >= oldestKept).ToDictionary(StringComparer.Ordinal);
        var clients = current.ClientCutoffs.ToDictionary(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case RevocationEntry.Token token when token.ExpiresAt >= oldestKept:
                    tokens[token.Jti] = token.ExpiresAt;
                    break;
                case RevocationEntry.Client client:
                    clients[client.ClientId] = Math.Max(client.RevokedBeforeMicroseconds, clients.GetValueOrDefault(client.ClientId));
                    break;
            }
        }
        if (tokens.Count != current.TokenExpiries.Count || entries.Count > 0)
            _snapshot = new Snapshot(tokens.ToFrozenDictionary(StringComparer.Ordinal), clients.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public void MarkSynced() => _firstSync.TrySetResult();
}

/// One entry of GET /oauth/revocations (docs/contract-notes.md).
internal abstract record RevocationEntry
{
    public sealed record Token(string Jti, string? ClientId, long ExpiresAt) : RevocationEntry;
    public sealed record Client(string ClientId, long RevokedBeforeMicroseconds) : RevocationEntry;
}
