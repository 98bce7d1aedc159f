using System.Diagnostics.Metrics;
using Gatehouse.Client;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="GatehouseClient"/> and its <see cref="HttpClient"/> handler.</summary>
public static class GatehouseClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="GatehouseClient"/> configured by <paramref name="configure"/>. Its discovery and
    /// token requests go through the <see cref="IHttpClientFactory"/> client named <see cref="GatehouseClient.BackchannelHttpClientName"/>.
    /// Call it once per container; for another client or scope set, create a <see cref="GatehouseClient"/> yourself.
    /// </summary>
    /// <exception cref="InvalidOperationException">A <see cref="GatehouseClient"/> is already registered.</exception>
    public static GatehouseClientBuilder AddGatehouseClient(this IServiceCollection services, Action<GatehouseClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        // A second call would silently merge its options into the first client's.
        if (services.Any(d => d.ServiceType == typeof(GatehouseClient)))
            throw new InvalidOperationException(
                "A GatehouseClient is already registered (AddGatehouseClient was called before): the container holds one. " +
                "For another client or scope set, create one with new GatehouseClient(options) and keep it for the life of the app.");
        services.AddOptions<GatehouseClientOptions>().Configure(configure);
        services.AddHttpClient(GatehouseClient.BackchannelHttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new GatehouseClient(
                provider.GetRequiredService<IOptions<GatehouseClientOptions>>().Value,
                () => factory.CreateClient(GatehouseClient.BackchannelHttpClientName),
                provider.GetService<ILoggerFactory>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<IMeterFactory>());
        });
        return new GatehouseClientBuilder(services);
    }

    /// <summary>Sends every request of this <see cref="HttpClient"/> with a token from the registered <see cref="GatehouseClient"/>.</summary>
    public static IHttpClientBuilder AddGatehouseToken(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(provider => new GatehouseTokenHandler(provider.GetRequiredService<GatehouseClient>()));
}

/// <summary>Further configuration of the client registered by <c>AddGatehouseClient</c>.</summary>
public sealed class GatehouseClientBuilder
{
    internal GatehouseClientBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the client is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Shares tokens through the registered <see cref="IDistributedCache"/> (e.g. Redis), encrypted, so every
    /// instance of the application uses one token instead of minting its own.
    /// </summary>
    public GatehouseClientBuilder UseDistributedTokenCache()
    {
        Services.AddOptions<GatehouseClientOptions>()
            .PostConfigure<IDistributedCache>((options, cache) => options.DistributedCache ??= cache);
        return this;
    }
}
