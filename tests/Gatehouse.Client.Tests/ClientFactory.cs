using Gatehouse.Client;
using Gatehouse.Testing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Client.Tests;

/// GatehouseClients pointed at a test server, with their backchannel recorded.
internal static class ClientFactory
{
    public static GatehouseClient Create(GatehouseServer server, CreatedClient client, RecordingHandler recorder,
        string[]? scopes = null, TimeProvider? time = null, IDistributedCache? cache = null, ILoggerFactory? logs = null,
        string? secret = null, string? authority = null, Action<GatehouseClientOptions>? configure = null)
    {
        var options = new GatehouseClientOptions
        {
            Authority = authority ?? server.Issuer,
            ClientId = client.ClientId,
            ClientSecret = secret ?? client.ClientSecret,
            Scopes = scopes ?? ["decisions:read"],
            Audience = "partner/v1",
            DistributedCache = cache,
        };
        configure?.Invoke(options);
        return new GatehouseClient(options, new HttpClient(recorder), logs, time);
    }

    public const string TokenPath = "/oauth/token";
    public const string DiscoveryPath = "/.well-known/oauth-authorization-server";
}
