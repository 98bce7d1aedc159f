using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.ResourceServer.Authorization;

/// The token's <c>scope</c> claim (RFC 9068 §2.2.3, space-separated) must include every one of these.
internal sealed class ScopeRequirement(IReadOnlyList<string> scopes) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    public string ScopeParameter { get; } = string.Join(' ', scopes);
}
