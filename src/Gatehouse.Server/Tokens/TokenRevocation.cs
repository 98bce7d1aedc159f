using Gatehouse.Server.Scaling;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Tokens;

/// The one home of revocation (SPEC 5, 7, 8): a single access token, a client-wide cut-off, a whole grant.
/// Every writer comes here, so the rules are stated once:
/// - a revoked access token is published on the feed until its exp plus Gatehouse:Keys:ClockSkew, the
///   leeway resource servers give exp, because they would accept it that long;
/// - a client cut-off revokes every token minted before it (iat_us), and is published as long as the
///   longest-lived token it can cover;
/// - revoking a grant kills its refresh tokens and publishes every unexpired access token it issued.
internal sealed class TokenRevocation(
    IRevocationStore revocations,
    IGrantStore grants,
    RevocationList list,
    IChangeSignal signal,
    MintClock mintClock,
    TimeProvider clock,
    IOptions<GatehouseOptions> options)
{
    private readonly TimeSpan _skew = options.Value.Keys.ClockSkew;
    private readonly TimeSpan _lifetime = options.Value.Tokens.AccessTokenLifetime;

    public RevokedToken ForAccessToken(string jti, string clientId, DateTimeOffset expiresAt) =>
        new(jti, clientId, expiresAt + _skew, clock.GetUtcNow());

    /// Persisted before it answers: SPEC 7 never says 200 for a revocation that was not stored.
    public async Task RevokeAccessTokenAsync(VerifiedAccessToken token, CancellationToken ct)
    {
        var record = ForAccessToken(token.Jti, token.ClientId, DateTimeOffset.FromUnixTimeSeconds(token.ExpiresAt));
        await revocations.AddAsync(record, ct);
        list.Add(record.Jti, record.ExpiresAt);
        await signal.PublishAsync();
    }

    /// A client-wide cut-off at this instant.
    public FeedCutOff CutOffNow() => new(mintClock.NextMicroseconds(), clock.GetUtcNow() + _lifetime + _skew);

    public Task<int> RevokeGrantAsync(string grantId, CancellationToken ct) => RevokeAsync(GrantSelector.Grant(grantId), ct);

    /// Deleting or disabling a person, or changing their password, ends every grant they gave (SPEC 8).
    public Task<int> RevokeGrantsOfUserAsync(string sub, CancellationToken ct) => RevokeAsync(GrantSelector.OfUser(sub), ct);

    /// "Revoke all tokens" covers refresh tokens too (SPEC 5: every token issued to the client before that moment).
    public Task<int> RevokeGrantsOfClientAsync(string clientId, CancellationToken ct) => RevokeAsync(GrantSelector.OfClient(clientId), ct);

    private async Task<int> RevokeAsync(GrantSelector which, CancellationToken ct)
    {
        var revoked = await grants.RevokeGrantsAsync(which, clock.GetUtcNow(), (clientId, expiresAt) => ForAccessToken("", clientId, expiresAt), ct);
        foreach (var token in revoked) list.Add(token.Jti, token.ExpiresAt);
        if (revoked.Count > 0) await signal.PublishAsync();
        return revoked.Count;
    }
}
