using OpenTelemetry.Metrics;
using Gatehouse.Server.Endpoints.Audit;
using Gatehouse.Server.Endpoints.Authorize;
using Gatehouse.Server.Endpoints.Cors;
using Gatehouse.Server.Endpoints.Logout;
using Gatehouse.Server.Endpoints.UserInfo;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Security;
using Gatehouse.Server.Endpoints.Clients;
using Gatehouse.Server.Endpoints.Discovery;
using Gatehouse.Server.Endpoints.Health;
using Gatehouse.Server.Endpoints.Introspection;
using Gatehouse.Server.Endpoints.Jwks;
using Gatehouse.Server.Endpoints.Revocation;
using Gatehouse.Server.Endpoints.Token;
using Gatehouse.Server.Endpoints.Users;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Hosting;

/// Builds and runs the HTTP server.
internal static class ServerApp
{
    public const string DefaultUrl = "http://localhost:5080";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var app = Build(args);
        // Load every client, key and revocation before the first request can arrive.
        await app.Services.GetRequiredService<StoreSync>().LoadAllAsync(ct);
        await app.Services.GetRequiredService<SigningKeyService>().EnsureSignersAsync(ct);
        await app.StartAsync(ct);
        // The dashboard's own client needs the issuer, which may be the address just bound.
        await app.Services.GetRequiredService<Dashboard.DashboardClient>().EnsureAsync(ct);
        await app.WaitForShutdownAsync(CancellationToken.None);
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Lowest-priority defaults: quiet per-request framework logs (any configuration source overrides).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
        var mainUrls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : DefaultUrl;
        var management = ManagementListener.From(builder.Configuration, mainUrls);
        // The main URLs first: without a configured issuer, the first bound address is the issuer (IssuerUrl).
        builder.WebHost.UseUrls(management.IsSeparate ? $"{mainUrls};{management.Urls}" : mainUrls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // ASP.NET Core's "Request starting/finished" lines carry the whole URL, query string included, and sign-in puts
        // bearer values there (id_token_hint on /oauth/logout). Pinned in code, after configuration, so that even a
        // troubleshooting Debug level never writes them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.AddGatehouseServer();
        builder.Services.AddRazorComponents();
        builder.Services.AddSharedDataProtection();
        builder.Services.AddAntiforgery(o =>
        {
            o.FormFieldName = "__RequestVerificationToken";
            // __Host- (SPEC 8) needs Secure, so only over https.
            o.Cookie.Name = IsHttpsIssuer(builder.Configuration) ? "__Host-gh_af" : "gh_af";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = IsHttpsIssuer(builder.Configuration) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true; // PageResults sets DENY on every page
        });
        builder.Services.AddSingleton<Observability.GatehouseMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Observability.GatehouseMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        var app = builder.Build();
        app.UseNosniff();
        management.Use(app);
        app.UseDependencyFailureResponses();
        app.UseBrowserCors();
        DiscoveryEndpoint.Map(app);
        JwksEndpoint.Map(app);
        TokenEndpoint.Map(app);
        IntrospectionEndpoint.Map(app);
        RevocationEndpoint.Map(app);
        HealthEndpoints.Map(app);
        ClientsEndpoint.Map(app);
        ClientSecretsEndpoint.Map(app);
        ClientTokensEndpoint.Map(app);
        UsersEndpoint.Map(app);
        RevocationFeedEndpoint.Map(app);
        AuditEndpoint.Map(app);
        AuthorizeEndpoint.Map(app);
        LoginEndpoint.Map(app);
        ConsentEndpoint.Map(app);
        UserInfoEndpoint.Map(app);
        LogoutEndpoint.Map(app);
        AssetEndpoints.Map(app);
        Endpoints.Dashboard.DashboardSignInEndpoints.Map(app);
        Endpoints.Dashboard.DashboardClientEndpoints.Map(app);
        Endpoints.Dashboard.DashboardSecretEndpoints.Map(app);
        Endpoints.Dashboard.DashboardAuditEndpoint.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static bool IsHttpsIssuer(IConfiguration configuration) =>
        configuration[$"{GatehouseOptions.Section}:Issuer"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;
}
