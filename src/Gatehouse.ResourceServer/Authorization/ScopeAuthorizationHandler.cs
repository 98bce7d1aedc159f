using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Gatehouse.ResourceServer.Authorization;

/// Checks <see cref="ScopeRequirement"/>s, and remembers which scope was missing so the 403 challenge can
/// name it (seed 002: "a WWW-Authenticate header naming the scope required").
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    public const string MissingScopeKey = "Gatehouse.ResourceServer.MissingScope";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        // Unauthenticated: the policy's authenticated-user rule answers with the 401 challenge.
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        var granted = GrantedScopes(context.User);
        if (requirement.Scopes.All(granted.Contains))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        if (HttpContextOf(context.Resource) is { } http) http.Items[MissingScopeKey] = requirement.ScopeParameter;
        return Task.CompletedTask;
    }

    private static HashSet<string> GrantedScopes(ClaimsPrincipal user)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in user.Claims)
        {
            if (claim.Type is "scope" or "scp")
                granted.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        return granted;
    }

    private static HttpContext? HttpContextOf(object? resource) => resource switch
    {
        HttpContext http => http,
        AuthorizationFilterContext mvc => mvc.HttpContext,
        _ => null,
    };
}
