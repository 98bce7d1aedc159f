using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Server.Tests.Harness;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Integration;

/// <summary>
/// A gatehouse server plus a stock ASP.NET Core API in this test process that knows nothing about
/// Gatehouse but its issuer: JwtBearer discovers metadata and keys on its own.
/// </summary>
public sealed class JwtBearerInteropFixture : GatehouseFixture
{
    WebApplication? api;

    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient Internal { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("interop-partner");
        Internal = await CreateClientAsync("interop-internal", audiences: ["internal/v1"]);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddAuthentication().AddJwtBearer(options =>
        {
            options.Authority = Server.Issuer;
            options.RequireHttpsMetadata = false;
            options.Audience = "partner/v1";
            options.MapInboundClaims = false;
        });
        builder.Services.AddAuthorization();
        api = builder.Build();
        api.UseAuthentication();
        api.UseAuthorization();
        api.MapGet("/partner/v1/whoami", (HttpContext context) => context.User.FindFirst("client_id")?.Value ?? "")
            .RequireAuthorization();
        await api.StartAsync();

        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Api = new HttpClient { BaseAddress = new Uri(address) };
    }

    public override async Task DisposeAsync()
    {
        Api?.Dispose();
        if (api is not null) await api.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// SPEC 4 "RFC 9068 JWTs signed ES256", checked by Microsoft's JwtBearer handler rather than by us.
public sealed class JwtBearerInteropTests(JwtBearerInteropFixture fixture) : IClassFixture<JwtBearerInteropFixture>
{
    async Task<HttpResponseMessage> CallApiAsync(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/partner/v1/whoami");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await fixture.Api.SendAsync(request);
    }

    [Fact]
    public async Task JwtBearer_GatehouseToken_Returns200()
    {
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Partner);

        using var response = await CallApiAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fixture.Partner.ClientId, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Forgeries.All), MemberType = typeof(Forgeries))]
    public async Task JwtBearer_ForgedToken_Returns401(string forgery)
    {
        var real = await fixture.OAuth.GetAccessTokenAsync(fixture.Partner);
        using (var genuine = await CallApiAsync(real)) Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        var token = Forgeries.Build(forgery, real, await fixture.OAuth.GetPublicJwkAsync(TestJwt.Parse(real).Kid));

        using var response = await CallApiAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "Bearer");
    }

    [Fact]
    public async Task JwtBearer_NoToken_Returns401WithBearerChallenge()
    {
        using var response = await CallApiAsync(null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "Bearer");
    }

    [Fact]
    public async Task JwtBearer_TokenForAnotherAudience_Returns401()
    {
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Internal, audience: "internal/v1");
        OAuthAssert.Audience("internal/v1", TestJwt.Parse(token).Payload);

        using var response = await CallApiAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
