namespace Gatehouse.Server.Endpoints.Discovery;

/// GET /.well-known/oauth-authorization-server (RFC 8414 §3) and /.well-known/openid-configuration.
internal static class DiscoveryEndpoint
{
    private const int MaxAgeSeconds = 3600;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/oauth-authorization-server", (HttpContext context, DiscoveryDocuments documents) =>
        {
            var (body, etag) = documents.AuthorizationServer;
            return CachedJson.WriteAsync(context, body, etag, MaxAgeSeconds);
        });
        app.MapGet("/.well-known/openid-configuration", (HttpContext context, DiscoveryDocuments documents) =>
        {
            var (body, etag) = documents.OpenIdConfiguration;
            return CachedJson.WriteAsync(context, body, etag, MaxAgeSeconds);
        });
    }
}
