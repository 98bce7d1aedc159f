using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PartnerCaller;

// A partner backend calling partner/v1 with a client-credentials token that Gatehouse.Client gets,
// caches, refreshes and retries for it. Settings: Gatehouse:Authority, Gatehouse:ClientId,
// Gatehouse:ClientSecret (environment Gatehouse__ClientSecret keeps it out of the shell history),
// PartnerApi:BaseUrl.
var builder = Host.CreateApplicationBuilder(args);
var settings = builder.Configuration;
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning); // per-request lines would drown the output
builder.Services.AddGatehouseClient(options =>
{
    settings.GetSection("Gatehouse").Bind(options);
    if (options.Scopes.Count == 0) options.Scopes = ["decisions:read", "applications:write"];
    options.Audience ??= "partner/v1";
});
builder.Services.AddHttpClient<PartnerApiClient>(http => http.BaseAddress = new Uri(settings["PartnerApi:BaseUrl"] ?? "http://localhost:5090"))
    .AddGatehouseToken();

using var host = builder.Build();
var api = host.Services.GetRequiredService<PartnerApiClient>();
try
{
    var decision = await api.GetDecisionAsync(args.FirstOrDefault(a => a.StartsWith("dec_", StringComparison.Ordinal)) ?? "dec_1001");
    Console.WriteLine($"decision: {decision}");
    var created = await api.CreateApplicationAsync("09876543", 25_000_00);
    Console.WriteLine($"application: {created}");
    return 0;
}
catch (Exception e) when (e is HttpRequestException or Gatehouse.Client.GatehouseTokenException)
{
    Console.Error.WriteLine($"failed: {e.Message}");
    return 1;
}
