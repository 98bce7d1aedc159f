using PartnerApi.Applications;
using PartnerApi.Decisions;

namespace PartnerApi;

/// A small partner/v1 API (seed 002's Apply and Decisioning rings) that accepts Gatehouse tokens.
/// Configuration: Gatehouse:Authority, Gatehouse:Audience, and the API's own Gatehouse:ClientId /
/// Gatehouse:ClientSecret for the revocation feed.
public static class PartnerApiApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls("http://localhost:5090");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        builder.Services.AddAuthentication().AddGatehouseBearer(options =>
        {
            builder.Configuration.GetSection("Gatehouse").Bind(options);
            if (string.IsNullOrEmpty(options.Authority)) options.Authority = "http://localhost:5080";
            if (string.IsNullOrEmpty(options.Audience)) options.Audience = "partner/v1";
        });
        builder.Services.AddSingleton<ApplicationStore>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PartnerJson.Default);
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => Results.Text("ok"));
        var partner = app.MapGroup("/partner/v1");
        DecisionEndpoints.Map(partner);
        ApplicationEndpoints.Map(partner);
        return app;
    }
}
