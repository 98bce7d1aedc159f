namespace Gatehouse.Server.Hosting;

/// /metrics and /readyz say how the node is doing (request counts, storage and Redis status); they are for
/// the operator's scraper and load balancer, not the internet. By default they are served only on a separate
/// listener, loopback (`Gatehouse:Management:Urls`, as Hydra's admin port); /healthz stays on every listener.
/// `Gatehouse:Management:Urls=` (empty) serves everything on the main URLs, as before (docs/hardening.md item 9).
internal sealed class ManagementListener
{
    public const string ConfigurationKey = "Gatehouse:Management:Urls";
    public const string DefaultUrls = "http://127.0.0.1:5081";

    private readonly HashSet<int> _ports;

    private ManagementListener(string urls, HashSet<int> ports)
    {
        Urls = urls;
        _ports = ports;
    }

    /// The management URLs, ';'-separated as ASP.NET Core's own `urls`; empty when not separate.
    public string Urls { get; }

    public bool IsSeparate => _ports.Count > 0;

    public static ManagementListener From(IConfiguration configuration, string mainUrls)
    {
        var urls = (configuration[ConfigurationKey] ?? DefaultUrls).Trim();
        var ports = new HashSet<int>();
        foreach (var url in Split(urls))
        {
            // Requests are told apart by the local port they arrived on, so it must be fixed and not a main one.
            if (!Uri.TryCreate(url.Replace("://*", "://localhost").Replace("://+", "://localhost"), UriKind.Absolute, out var uri) || uri.Port <= 0)
                throw new InvalidOperationException($"{ConfigurationKey}: '{url}' must be an absolute URL with a port, e.g. {DefaultUrls}.");
            ports.Add(uri.Port);
        }
        foreach (var url in Split(mainUrls))
        {
            if (Uri.TryCreate(url.Replace("://*", "://localhost").Replace("://+", "://localhost"), UriKind.Absolute, out var uri) && ports.Contains(uri.Port))
                throw new InvalidOperationException($"{ConfigurationKey} must use other ports than the main URLs ({mainUrls}); leave it empty to serve management on them.");
        }
        return new ManagementListener(urls, ports);
    }

    public static bool IsManagementPath(PathString path) =>
        path.Equals("/metrics", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);

    /// Management paths only on the management listener, and nothing else there but /healthz.
    public void Use(IApplicationBuilder app)
    {
        if (!IsSeparate) return;
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            var onManagement = _ports.Contains(context.Connection.LocalPort);
            var allowed = onManagement ? IsManagementPath(path) || path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) : !IsManagementPath(path);
            if (allowed) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static string[] Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
