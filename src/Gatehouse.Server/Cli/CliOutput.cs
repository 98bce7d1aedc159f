using System.CommandLine;
using System.Text.Json;

namespace Gatehouse.Server.Cli;

internal static class CliOutput
{
    public const int Failure = 1;

    public static Option<bool> JsonOption() => new("--json") { Description = "Print exactly one JSON value on stdout." };

    public static void WriteJson(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, CliContext.Json));

    /// One line on stderr and a non-zero exit: what a script needs to stop safely.
    public static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return Failure;
    }
}
