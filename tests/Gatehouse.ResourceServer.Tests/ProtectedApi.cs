using System.Net.Http.Headers;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.ResourceServer.Tests;

/// A real Kestrel API protected by AddGatehouseBearer, with minimal-API and controller endpoints.
internal static class ProtectedApi
{
    public static Task<LoopbackApi> StartAsync(GatehouseServer server, Action<GatehouseBearerOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        StartAsync(server.Issuer, configure, services);

    /// <paramref name="services"/> runs after AddGatehouseBearer, so what it registers (a TimeProvider, JwtBearer options) wins.
    public static Task<LoopbackApi> StartAsync(string authority, Action<GatehouseBearerOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        LoopbackApi.StartAsync(builder =>
        {
            builder.Services.AddAuthentication().AddGatehouseBearer(options =>
            {
                options.Authority = authority;
                options.Audience = "partner/v1";
                configure?.Invoke(options);
            });
            services?.Invoke(builder.Services);
            builder.Services.AddControllers().AddApplicationPart(typeof(ProtectedApi).Assembly);
        }, app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/partner/v1/decisions/{id}", (string id, HttpContext context) => $"{id} for {context.User.FindFirst("client_id")?.Value}")
                .RequireScope("decisions:read");
            app.MapPost("/partner/v1/applications", () => Results.Created("/partner/v1/applications/app_1", new { id = "app_1" }))
                .RequireScope("applications:write");
            app.MapControllers();
        });

    public static async Task<HttpResponseMessage> GetAsync(this LoopbackApi api, string path, string? token)
    {
        using var http = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    public static string Challenge(this HttpResponseMessage response) =>
        string.Join(", ", response.Headers.WwwAuthenticate.Select(c => c.ToString()));
}

[ApiController]
[Route("/mvc/v1/decisions")]
public sealed class DecisionsController : ControllerBase
{
    [HttpGet("{id}")]
    [RequireScope("decisions:read")]
    public string Get(string id) => id;

    [HttpDelete("{id}")]
    [RequireScope("decisions:read", "applications:write")]
    public IActionResult Delete(string id) => NoContent();
}
