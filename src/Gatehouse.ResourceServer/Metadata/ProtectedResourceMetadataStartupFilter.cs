using Gatehouse.ResourceServer.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.ResourceServer.Metadata;

/// Serves /.well-known/oauth-protected-resource in front of the app's own pipeline, so adding the scheme
/// is enough: the document is public and never needs routing, authentication or CORS policies.
internal sealed class ProtectedResourceMetadataStartupFilter(GatehouseSchemeNames names) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var monitor = app.ApplicationServices.GetRequiredService<IOptionsMonitor<GatehouseBearerOptions>>();
        var schemes = names.Names.Select(monitor.Get).ToList();
        var path = ProtectedResourceMetadata.PathFor(schemes[0]);
        // Without a configured Resource the document names whatever Host the request carried: fine for that
        // caller, wrong (or forged) for anyone a shared cache hands it to.
        var fromRequestHost = schemes[0].Resource is null;
        var cacheControl = fromRequestHost ? "no-store" : "public, max-age=3600";
        if (fromRequestHost)
            ResourceServerLog.ResourceNotConfigured(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.ResourceServer"), names.Names[0]);
        string[]? scopes = null; // computed on first request, once every endpoint is mapped
        app.Use(async (context, nextMiddleware) =>
        {
            if (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                || !context.Request.Path.Equals(path, StringComparison.Ordinal))
            {
                await nextMiddleware(context);
                return;
            }
            context.Response.Headers.CacheControl = cacheControl;
            await context.Response.WriteAsJsonAsync(ProtectedResourceMetadata.Document(context, schemes,
                scopes ??= ProtectedResourceMetadata.ScopesSupported(app.ApplicationServices, schemes)));
        });
        next(app);
    };
}
