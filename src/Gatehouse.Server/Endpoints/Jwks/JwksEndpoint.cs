using Gatehouse.Server.Endpoints.Discovery;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Jwks;

/// GET /.well-known/jwks.json (RFC 7517 §5), also at the seeds' /partner/v1/oauth/jwks.
internal static class JwksEndpoint
{
    /// Short enough that a revoked key leaves verifiers' caches soon; new keys are pre-published for far longer.
    private const int MaxAgeSeconds = 300;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/.well-known/jwks.json", DiscoveryEndpoint.GetOrHead, Handle);
        app.MapMethods("/partner/v1/oauth/jwks", DiscoveryEndpoint.GetOrHead, Handle);
    }

    private static Task Handle(HttpContext context, SigningKeyService keys)
    {
        var ring = keys.Current;
        return CachedJson.WriteAsync(context, ring.Jwks, ring.JwksEtag, MaxAgeSeconds);
    }
}
