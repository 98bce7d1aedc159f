using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Token;

/// RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6): a person's sign-in becomes tokens. The code is single-use,
/// bound to its client, redirect URI and challenge; using it twice revokes what it issued (§4.1.2).
internal sealed class AuthorizationCodeGrant(IGrantStore grants, IUserStore users, PersonGrants persons, TokenRevocation revocation,
    TimeProvider clock) : ITokenGrantHandler
{
    private const string Unusable = "The authorization code is invalid, expired or already used.";

    public async ValueTask<Outcome<TokenGrant>> ValidateAsync(AuthenticatedClient caller, IFormCollection form, CancellationToken ct)
    {
        var client = caller.Client;
        if (!client.AllowsGrant(GrantTypes.AuthorizationCode)) return OAuthError.UnauthorizedClient(GrantTypes.AuthorizationCode);
        var code = form.Value("code");
        var redirectUri = form.Value("redirect_uri");
        var verifier = form.Value("code_verifier");
        if (code is null) return OAuthError.InvalidRequest("code is required.");
        if (redirectUri is null) return OAuthError.InvalidRequest("redirect_uri is required: the one the authorization request used.");
        if (verifier is null) return OAuthError.InvalidRequest("code_verifier is required (PKCE, RFC 7636).");

        var hash = GrantHandles.Hash(code);
        if (await grants.FindCodeAsync(hash, ct) is not var (stored, grant)) return OAuthError.InvalidGrant(Unusable);
        // Another client's code: refuse without touching it, it is not this caller's to burn.
        if (stored.ClientId != client.ClientId) return OAuthError.InvalidGrant(Unusable);
        var now = clock.GetUtcNow();
        if (stored.ConsumedAt is not null)
        {
            await revocation.RevokeGrantAsync(grant.GrantId, ct);
            return OAuthError.InvalidGrant(Unusable);
        }
        if (stored.ExpiresAt <= now) return OAuthError.InvalidGrant(Unusable);
        if (!string.Equals(stored.RedirectUri, redirectUri, StringComparison.Ordinal))
            return OAuthError.InvalidGrant("redirect_uri does not match the authorization request.");
        if (!Pkce.Matches(verifier, stored.CodeChallenge)) return OAuthError.InvalidGrant("code_verifier does not match the code_challenge.");
        if (!grant.IsLive(now)) return OAuthError.InvalidGrant(Unusable);

        var person = await persons.ForAsync(client, grant, grant.Scope, stored.Nonce, hash, users, ct);
        return person;
    }

    public async ValueTask<Outcome<bool>> CompleteAsync(TokenGrant grant, IssuedToken issued, CancellationToken ct)
    {
        var person = grant.Person!;
        if (await grants.RedeemCodeAsync(person.Handle, clock.GetUtcNow(), persons.IssueOf(grant, issued), ct)) return true;
        // Redeemed meanwhile (on this node or another): the second redemption is the attack RFC 6749 §4.1.2 describes.
        await revocation.RevokeGrantAsync(person.Grant.GrantId, ct);
        return OAuthError.InvalidGrant(Unusable);
    }
}
