namespace Gatehouse.Server.Tests.Harness;

/// gatehouse.dll (with its runtimeconfig and deps files) lands next to the test assembly
/// because of the ProjectReference, so both the server and the CLI run from there.
internal static class GatehouseBinary
{
    public static string DllPath { get; } = Locate();

    static string Locate()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gatehouse.dll");
        var runtimeConfig = Path.Combine(AppContext.BaseDirectory, "gatehouse.runtimeconfig.json");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"gatehouse.dll is not in the test output folder {AppContext.BaseDirectory}.", dll);
        if (!File.Exists(runtimeConfig))
            throw new FileNotFoundException($"gatehouse.runtimeconfig.json is not in the test output folder {AppContext.BaseDirectory}.", runtimeConfig);
        return dll;
    }

    /// Settings from the developer's shell must not leak into the server under test.
    public static void ScrubEnvironment(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.ToList())
        {
            if (key.StartsWith("Gatehouse__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(key);
            }
        }
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
    }
}
