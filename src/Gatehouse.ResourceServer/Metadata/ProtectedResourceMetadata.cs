using Gatehouse.ResourceServer.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.ResourceServer.Metadata;

/// RFC 9728 protected-resource metadata: where this API's tokens come from and which scopes it uses.
internal static class ProtectedResourceMetadata
{
    public const string WellKnownPath = "/.well-known/oauth-protected-resource";

    /// RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.
    public static string PathFor(GatehouseBearerOptions options) =>
        options.Resource is { } resource && new Uri(resource).AbsolutePath.TrimEnd('/') is { Length: > 0 } path
            ? WellKnownPath + path
            : WellKnownPath;

    public static string ResourceFor(HttpRequest request, GatehouseBearerOptions options) =>
        options.Resource?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}";

    public static string UrlFor(HttpRequest request, GatehouseBearerOptions options)
    {
        var origin = options.Resource is { } resource ? new Uri(resource).GetLeftPart(UriPartial.Authority) : $"{request.Scheme}://{request.Host}";
        return origin + PathFor(options);
    }

    public static Dictionary<string, object> Document(HttpContext context, IReadOnlyList<GatehouseBearerOptions> schemes, string[] scopes) => new()
    {
        ["resource"] = ResourceFor(context.Request, schemes[0]),
        ["authorization_servers"] = schemes.Select(s => s.NormalizedAuthority).Distinct().ToArray(),
        ["scopes_supported"] = scopes,
        ["bearer_methods_supported"] = new[] { "header" },
    };

    /// The scopes the app's endpoints require (RequireScope) plus any configured.
    public static string[] ScopesSupported(IServiceProvider services, IReadOnlyList<GatehouseBearerOptions> schemes)
    {
        var fromEndpoints = services.GetService<EndpointDataSource>()?.Endpoints
            .SelectMany(e => e.Metadata.OfType<IAuthorizationRequirementData>())
            .SelectMany(d => d.GetRequirements().OfType<ScopeRequirement>())
            .SelectMany(r => r.Scopes) ?? [];
        return fromEndpoints.Concat(schemes.SelectMany(s => s.ScopesSupported)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }
}
