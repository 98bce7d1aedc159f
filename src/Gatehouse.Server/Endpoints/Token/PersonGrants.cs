using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Endpoints.Token;

/// What the code and refresh grants share: turning a stored grant into tokens for its person, and the
/// record of what a redemption issued.
internal sealed class PersonGrants(TimeProvider clock, IOptions<GatehouseOptions> options)
{
    private readonly TimeSpan _refreshIdle = options.Value.SignIn.RefreshTokenIdleLifetime;

    /// A person who is gone or disabled has no grants left to use (SPEC 8).
    public async Task<Outcome<TokenGrant>> ForAsync(Client client, Grant grant, string scope, string? nonce, byte[] handle,
        IUserStore users, CancellationToken ct)
    {
        var user = await users.FindAsync(grant.Sub, ct);
        if (user is null || user.Disabled) return OAuthError.InvalidGrant("The person this grant belongs to can no longer sign in.");
        return new TokenGrant(client, scope, grant.Audience, user.Sub)
        {
            Person = new PersonGrant(user, grant, IssueIdToken: Scopes.Contains(scope, Scopes.OpenId),
                // SPEC 8: whenever the client has the refresh_token grant, with or without offline_access.
                IssueRefreshToken: client.AllowsGrant(GrantTypes.RefreshToken), nonce) { Handle = handle },
        };
    }

    public GrantIssue IssueOf(TokenGrant grant, IssuedToken issued)
    {
        RefreshToken? next = null;
        if (issued.RefreshTokenHash is { } hash)
        {
            var now = clock.GetUtcNow();
            var expiresAt = now + _refreshIdle < grant.Person!.Grant.ExpiresAt ? now + _refreshIdle : grant.Person.Grant.ExpiresAt;
            next = new RefreshToken(hash, grant.Person.Grant.GrantId, grant.Client.ClientId, now, expiresAt, null);
        }
        return new GrantIssue(issued.Jti, issued.ExpiresAt, next);
    }
}
