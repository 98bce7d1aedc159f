using System.Diagnostics.Metrics;
using Gatehouse.ResourceServer;
using Gatehouse.ResourceServer.Authorization;
using Gatehouse.ResourceServer.Diagnostics;
using Gatehouse.ResourceServer.Metadata;
using Gatehouse.ResourceServer.Revocation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Gatehouse access-token validation to ASP.NET Core authentication.</summary>
public static class GatehouseBearerExtensions
{
    /// <summary>
    /// Adds JwtBearer authentication under the <c>Bearer</c> scheme, configured from the Gatehouse authority's
    /// discovery document, plus <c>RequireScope</c>, the RFC 6750/9728 challenges, the API's
    /// <c>/.well-known/oauth-protected-resource</c> document and the revocation-feed follower.
    /// </summary>
    public static AuthenticationBuilder AddGatehouseBearer(this AuthenticationBuilder builder, Action<GatehouseBearerOptions> configure) =>
        builder.AddGatehouseBearer(JwtBearerDefaults.AuthenticationScheme, configure);

    /// <summary>As <see cref="AddGatehouseBearer(AuthenticationBuilder, Action{GatehouseBearerOptions})"/>, under the scheme name <paramref name="scheme"/>.</summary>
    public static AuthenticationBuilder AddGatehouseBearer(this AuthenticationBuilder builder, string scheme, Action<GatehouseBearerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        var names = SchemeNames(services);
        names.Add(scheme);

        services.AddOptions<GatehouseBearerOptions>(scheme).Configure(configure);
        services.AddKeyedSingleton(scheme, (provider, key) => new GatehouseScheme(
            (string)key!,
            provider.GetRequiredService<IOptionsMonitor<GatehouseBearerOptions>>().Get((string)key!),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<ResourceServerMetrics>()));
        services.AddSingleton<IHostedService>(provider => new RevocationFeedFollower(provider.GetRequiredKeyedService<GatehouseScheme>(scheme)));
        return builder.AddJwtBearer(scheme, _ => { });
    }

    private static GatehouseSchemeNames SchemeNames(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(GatehouseSchemeNames))?.ImplementationInstance is GatehouseSchemeNames existing)
            return existing;
        // First scheme: the services every Gatehouse scheme shares.
        var names = new GatehouseSchemeNames();
        services.AddSingleton(names);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ResourceServerMetrics(provider.GetService<IMeterFactory>()));
        services.AddSingleton<ConfigureJwtBearerFromGatehouse>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>>(provider => provider.GetRequiredService<ConfigureJwtBearerFromGatehouse>());
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>>(provider => provider.GetRequiredService<ConfigureJwtBearerFromGatehouse>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeAuthorizationHandler>());
        services.AddSingleton<IStartupFilter, ProtectedResourceMetadataStartupFilter>();
        services.AddAuthorization();
        return names;
    }
}
