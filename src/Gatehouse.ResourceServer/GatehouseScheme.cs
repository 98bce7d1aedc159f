using Gatehouse.ResourceServer.Diagnostics;
using Gatehouse.ResourceServer.Introspection;
using Gatehouse.ResourceServer.Revocation;
using Gatehouse.ResourceServer.Validation;
using Microsoft.Extensions.Logging;

namespace Gatehouse.ResourceServer;

/// Everything one Gatehouse authentication scheme keeps for the life of the app: its options, the
/// authority's metadata and keys, the revocation list and the connection to the authority.
internal sealed class GatehouseScheme : IDisposable
{
    public GatehouseScheme(string name, GatehouseBearerOptions options, TimeProvider time, ILoggerFactory loggers, ResourceServerMetrics metrics)
    {
        options.Validate(name);
        Name = name;
        Options = options;
        Time = time;
        Metrics = metrics;
        Logger = loggers.CreateLogger("Gatehouse.ResourceServer");
        Backchannel = options.BackchannelHttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });
        Backchannel.Timeout = TimeSpan.FromSeconds(15);
        Metadata = new AuthorityMetadata(options, Backchannel, time, Logger, metrics);
        Revocations = new RevocationList(time, options.ClockSkew);
        Introspection = options.UseIntrospection ? new IntrospectionTokenHandler(this) : null;
    }

    public string Name { get; }
    public GatehouseBearerOptions Options { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public ResourceServerMetrics Metrics { get; }
    public HttpClient Backchannel { get; }
    public AuthorityMetadata Metadata { get; }
    public RevocationList Revocations { get; }
    public IntrospectionTokenHandler? Introspection { get; }

    public void Dispose() => Backchannel.Dispose();
}
