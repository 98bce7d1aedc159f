using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Token;

/// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token and kills the old
/// one; presenting a used one revokes the whole grant. A narrower scope narrows the new access token only.
internal sealed class RefreshTokenGrant(IGrantStore grants, IUserStore users, PersonGrants persons, TokenRevocation revocation,
    TimeProvider clock) : ITokenGrantHandler
{
    private const string Unusable = "The refresh token is invalid, expired or revoked.";

    public async ValueTask<Outcome<TokenGrant>> ValidateAsync(AuthenticatedClient caller, IFormCollection form, CancellationToken ct)
    {
        var client = caller.Client;
        if (!client.AllowsGrant(GrantTypes.RefreshToken)) return OAuthError.UnauthorizedClient(GrantTypes.RefreshToken);
        var value = form.Value("refresh_token");
        if (value is null) return OAuthError.InvalidRequest("refresh_token is required.");

        var hash = GrantHandles.Hash(value);
        if (await grants.FindRefreshTokenAsync(hash, ct) is not var (token, grant) || token.ClientId != client.ClientId)
            return OAuthError.InvalidGrant(Unusable);
        var now = clock.GetUtcNow();
        if (token.UsedAt is not null)
        {
            await revocation.RevokeGrantAsync(grant.GrantId, ct);
            return OAuthError.InvalidGrant("The refresh token was already used; the grant is revoked. Sign the person in again.");
        }
        if (token.ExpiresAt <= now || !grant.IsLive(now)) return OAuthError.InvalidGrant(Unusable);

        var scope = grant.Scope;
        if (Scopes.Split(form.Value("scope")) is { Length: > 0 } requested)
        {
            // §6: the new scope must not include any scope the grant does not hold.
            var wider = requested.FirstOrDefault(s => !Scopes.Contains(grant.Scope, s));
            if (wider is not null) return OAuthError.InvalidScope(wider) with { Description = $"Scope {Echo.Quoted(wider)} was not granted by the person." };
            scope = Scopes.Join(requested);
        }
        return await persons.ForAsync(client, grant, scope, nonce: null, hash, users, ct);
    }

    public async ValueTask<Outcome<bool>> CompleteAsync(TokenGrant grant, IssuedToken issued, CancellationToken ct)
    {
        var person = grant.Person!;
        if (await grants.RotateRefreshTokenAsync(person.Handle, clock.GetUtcNow(), persons.IssueOf(grant, issued), ct)) return true;
        // Two redemptions of one refresh token: exactly one wins; the other is reuse, and the grant ends (SPEC 8).
        await revocation.RevokeGrantAsync(person.Grant.GrantId, ct);
        return OAuthError.InvalidGrant("The refresh token was already used; the grant is revoked. Sign the person in again.");
    }
}
