using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Endpoints.Cors;

/// CORS for browser clients (SPEC 8): the token, userinfo and revocation endpoints answer the origins of
/// public clients' registered redirect URIs; discovery and the JWKS answer any origin. Other origins get
/// no Access-Control-Allow-Origin, on preflight either. Requests without an Origin header pay one lookup.
internal static class BrowserCors
{
    private static readonly string[] ClientPaths = ["/oauth/token", "/partner/v1/oauth/token", "/public/v1/userinfo", "/oauth/revoke"];
    private static readonly string[] PublicPaths = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
        "/.well-known/jwks.json", "/partner/v1/oauth/jwks"];

    public static IApplicationBuilder UseBrowserCors(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count != 1) return next(context);
        var path = context.Request.Path.Value ?? "";
        string? allow = null;
        if (PublicPaths.Contains(path, StringComparer.Ordinal)) allow = "*";
        else if (ClientPaths.Contains(path, StringComparer.Ordinal) &&
                 context.RequestServices.GetRequiredService<PublicClientOrigins>().Contains(origin[0]!)) allow = origin[0];
        var headers = context.Response.Headers;
        headers.Vary = "Origin";
        var preflight = HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey("Access-Control-Request-Method");
        if (allow is not null)
        {
            headers.AccessControlAllowOrigin = allow;
            if (preflight)
            {
                headers.AccessControlAllowMethods = "GET, POST";
                headers.AccessControlAllowHeaders = "Authorization, Content-Type";
                headers.AccessControlMaxAge = "600";
            }
        }
        if (!preflight) return next(context);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    });
}

/// The origins of public clients' redirect URIs, rebuilt when the client view changes.
internal sealed class PublicClientOrigins(ClientRegistry clients)
{
    private (long Version, HashSet<string> Origins) _cached = (-1, []);

    public bool Contains(string origin)
    {
        var cached = _cached;
        if (cached.Version != clients.Version)
        {
            var version = clients.Version;
            var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var client in clients.All)
            {
                if (!client.IsPublic) continue;
                foreach (var uri in client.RedirectUris)
                    if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
                        origins.Add(parsed.GetLeftPart(UriPartial.Authority));
            }
            _cached = cached = (version, origins);
        }
        return cached.Origins.Contains(origin);
    }
}
