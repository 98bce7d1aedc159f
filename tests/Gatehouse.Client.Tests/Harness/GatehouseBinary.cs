using System.Diagnostics;

namespace Gatehouse.Testing;

/// gatehouse.dll comes into the test output folder through the ProjectReference to src/Gatehouse.Server.
internal static class GatehouseBinary
{
    public static string DllPath { get; } = Locate();

    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The developer's shell settings must not leak into the server under test.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("Gatehouse__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key is "DOTNET_URLS" or "DOTNET_ENVIRONMENT")
                start.Environment.Remove(key);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }

    private static string Locate()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gatehouse.dll");
        if (!File.Exists(dll) || !File.Exists(Path.Combine(AppContext.BaseDirectory, "gatehouse.runtimeconfig.json")))
            throw new FileNotFoundException($"gatehouse.dll (and its runtimeconfig) is not in {AppContext.BaseDirectory}.", dll);
        return dll;
    }
}
