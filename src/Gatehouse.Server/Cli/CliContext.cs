using System.Text.Json;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Cli;

/// The services an admin command needs, over the same data directory (and configuration) as the server.
/// Commands write to the store; a running server picks the change up from the change feed.
internal sealed class CliContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliContext(ServiceProvider services) => _services = services;

    /// `--Gatehouse:Key=value` arguments given on the command line.
    public static IReadOnlyList<KeyValuePair<string, string?>> ConfigurationOverrides { get; set; } = [];

    public static CliContext Create(string? dataDirectory)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(ConfigurationOverrides);
        if (dataDirectory is not null)
            configuration.AddInMemoryCollection([new($"{GatehouseOptions.Section}:DataDirectory", dataDirectory)]);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration.Build())
            .AddLogging() // no providers: a command's output is its result, errors go through CliOutput
            .AddGatehouseCore()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        // Same validation the server does at start: a bad setting fails the command, not silently.
        _ = services.GetRequiredService<IOptions<GatehouseOptions>>().Value;
        // And the same root key as the store's: a command run with another one must fail before it writes
        // secrets no server can check or keys no server can decrypt.
        services.GetRequiredService<Tokens.SigningKeyService>().ReloadAsync(CancellationToken.None).GetAwaiter().GetResult();
        return new CliContext(services);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "+00:00", not "\u002B00:00"

    };
}
