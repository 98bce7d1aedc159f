using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.ResourceServer.Revocation;

/// The revocation feed lists this token, or its client's cut-off is later than the token.
internal sealed class TokenRevokedException() : SecurityTokenException("The token has been revoked.");
