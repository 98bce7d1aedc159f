using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Tokens;

/// What a grant decided to issue: the client, the granted scope (space-separated) and the audience.
internal sealed record TokenGrant(Client Client, string Scope, string Audience, string Subject);

internal sealed record IssuedToken(string AccessToken, int ExpiresIn, string Scope);
