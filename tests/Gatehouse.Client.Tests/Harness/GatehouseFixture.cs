namespace Gatehouse.Testing;

/// <summary>
/// One real server per test class: clients are created with the CLI first, then the server starts on
/// that data directory.
/// </summary>
public abstract class GatehouseFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = TestDirectories.Create();
    public GatehouseServer Server { get; private set; } = null!;

    /// Configuration keys for <c>serve</c>. The failed-authentication throttle is lifted so that tests of
    /// bad credentials do not lock each other out.
    protected virtual Dictionary<string, string> Settings => new()
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
    };

    protected virtual Task SeedAsync() => Task.CompletedTask;

    protected Task<CreatedClient> CreateClientAsync(string name, string? scope = null, string? audience = null, int? rateLimit = 100_000,
        bool resourceServer = false) =>
        GatehouseCli.CreateClientAsync(DataDirectory, name, scope, audience, rateLimit, resourceServer);

    public virtual async Task InitializeAsync()
    {
        await SeedAsync();
        Server = await GatehouseServer.StartAsync(DataDirectory, Settings);
    }

    public virtual async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        TestDirectories.Delete(DataDirectory);
    }
}
