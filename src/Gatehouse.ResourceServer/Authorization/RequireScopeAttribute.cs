using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.ResourceServer;

/// <summary>
/// Requires an authenticated caller whose token carries every listed scope. Without a token the answer is
/// <c>401</c>; with a token lacking a scope it is <c>403</c> with <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c>.
/// Put it on a controller or action, or use <c>RequireScope(...)</c> on a minimal API endpoint.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequireScopeAttribute : AuthorizeAttribute, IAuthorizationRequirementData
{
    /// <summary>Requires all of <paramref name="scopes"/>.</summary>
    public RequireScopeAttribute(params string[] scopes)
    {
        if (scopes is null || scopes.Length == 0 || scopes.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("At least one non-empty scope is required.", nameof(scopes));
        Scopes = scopes;
    }

    /// <summary>The scopes a token must carry.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new Authorization.ScopeRequirement(Scopes)];
}
