using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Tokens;

/// What a grant decided to issue: the client, the granted scope (space-separated), the audience and the
/// subject (the client itself, or the signed-in person). `Person` is set for grants that name a user.
internal sealed record TokenGrant(Client Client, string Scope, string Audience, string Subject)
{
    public PersonGrant? Person { get; init; }
}

/// The sign-in side of a token grant (SPEC 8): who signed in, the stored grant the tokens belong to, and
/// what to issue besides the access token.
internal sealed record PersonGrant(User User, Grant Grant, bool IssueIdToken, bool IssueRefreshToken, string? Nonce)
{
    /// The hash of the code or refresh token being redeemed.
    public byte[] Handle { get; init; } = [];
}
