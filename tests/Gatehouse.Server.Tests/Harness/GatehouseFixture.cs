namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// One server per test class (xUnit class fixture): clients are created with the CLI on a
/// fresh data directory first, then the server starts on it. Tests that restart a server
/// or need other settings start their own <see cref="GatehouseProcess"/>.
/// </summary>
public abstract class GatehouseFixture : IAsyncLifetime
{
    /// High enough that no client of a shared fixture trips the per-client limit by accident.
    public const int UnthrottledRateLimit = 100_000;

    public string DataDirectory { get; } = TestDirectories.Create();
    public GatehouseProcess Server { get; private set; } = null!;
    public OAuthTestClient OAuth => Server.OAuth;

    /// Configuration keys passed to <c>serve</c>. By default the failed-authentication
    /// throttle is lifted so that tests of bad credentials do not throttle each other;
    /// the throttle has its own test with its own server.
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
    };

    /// Runs before the server starts; create clients with <see cref="GatehouseCli"/> here.
    protected virtual Task SeedAsync() => Task.CompletedTask;

    protected Task<CreatedClient> CreateClientAsync(string name, string? scope = null,
        IEnumerable<string>? audiences = null, int? rateLimit = UnthrottledRateLimit, bool resourceServer = false) =>
        GatehouseCli.CreateClientAsync(DataDirectory, name, scope, audiences, rateLimit, resourceServer);

    public virtual async Task InitializeAsync()
    {
        await SeedAsync();
        Server = await GatehouseProcess.StartAsync(DataDirectory, Settings);
    }

    public virtual async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        TestDirectories.Delete(DataDirectory);
    }
}

/// A server with no clients and default settings.
public sealed class PlainGatehouseFixture : GatehouseFixture;
