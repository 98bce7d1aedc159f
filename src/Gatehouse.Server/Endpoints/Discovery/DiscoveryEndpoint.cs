namespace Gatehouse.Server.Endpoints.Discovery;

/// GET /.well-known/oauth-authorization-server (RFC 8414 §3) and /.well-known/openid-configuration.
internal static class DiscoveryEndpoint
{
    private const int MaxAgeSeconds = 3600;
    internal static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/.well-known/oauth-authorization-server", GetOrHead, (HttpContext context, DiscoveryDocuments documents) =>
        {
            var (body, etag) = documents.AuthorizationServer;
            return CachedJson.WriteAsync(context, body, etag, MaxAgeSeconds);
        });
        app.MapMethods("/.well-known/openid-configuration", GetOrHead, (HttpContext context, DiscoveryDocuments documents) =>
        {
            var (body, etag) = documents.OpenIdConfiguration;
            return CachedJson.WriteAsync(context, body, etag, MaxAgeSeconds);
        });
    }
}
