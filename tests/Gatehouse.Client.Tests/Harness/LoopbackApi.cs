using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Testing;

/// <summary>A real Kestrel app in the test process on a loopback port of its own.</summary>
public sealed class LoopbackApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackApi(WebApplication app, string baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public string BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LoopbackApi> StartAsync(Action<WebApplicationBuilder>? configureServices, Action<WebApplication> configureApp)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        configureServices?.Invoke(builder);
        var app = builder.Build();
        configureApp(app);
        await app.StartAsync();
        return new LoopbackApi(app, Started(app));
    }

    /// For an app built elsewhere (the sample API): start it and find its address.
    public static async Task<LoopbackApi> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new LoopbackApi(app, Started(app));
    }

    private static string Started(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public HttpClient CreateClient(HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler()) { BaseAddress = new Uri(BaseAddress) };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
