using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Token;

/// One grant type of the token endpoint (RFC 6749 §4): decides what to issue, then, once the tokens are
/// minted, makes the redemption durable. The one plug-in point of the token endpoint.
internal interface ITokenGrantHandler
{
    ValueTask<Outcome<TokenGrant>> ValidateAsync(AuthenticatedClient client, IFormCollection form, CancellationToken ct);

    /// For one-time grants (codes, refresh tokens): the atomic redemption. A lost race refuses the request.
    ValueTask<Outcome<bool>> CompleteAsync(TokenGrant grant, IssuedToken issued, CancellationToken ct) => ValueTask.FromResult(new Outcome<bool>(true));
}

/// The grant types this server serves, by `grant_type`.
internal sealed class TokenGrantHandlers(ClientCredentialsGrant clientCredentials, AuthorizationCodeGrant authorizationCode, RefreshTokenGrant refreshToken)
{
    public ITokenGrantHandler? For(string grantType) => grantType switch
    {
        GrantTypes.ClientCredentials => clientCredentials,
        GrantTypes.AuthorizationCode => authorizationCode,
        GrantTypes.RefreshToken => refreshToken,
        _ => null,
    };
}
