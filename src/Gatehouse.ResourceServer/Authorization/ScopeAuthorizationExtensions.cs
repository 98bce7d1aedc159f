using Gatehouse.ResourceServer;
using Gatehouse.ResourceServer.Authorization;
using Microsoft.AspNetCore.Authorization;

namespace Microsoft.AspNetCore.Builder;

/// <summary><c>RequireScope</c> for minimal API endpoints, route groups and authorization policies.</summary>
public static class ScopeAuthorizationExtensions
{
    /// <summary>Requires an authenticated caller whose token carries every one of <paramref name="scopes"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new RequireScopeAttribute(scopes));

    /// <summary>Adds the requirement that the token carries every one of <paramref name="scopes"/> to a policy.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, params string[] scopes) =>
        policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(new RequireScopeAttribute(scopes).Scopes));
}
