using System.Text.Json;

namespace Gatehouse.Server.Tests.Harness;

/// What the contract promises of every CLI command's output.
public static class CliAssert
{
    /// Success, and stdout is exactly one JSON value of the given kind.
    public static JsonElement SingleJson(CliResult result, JsonValueKind kind)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement json;
        try
        {
            // JsonDocument.Parse refuses trailing content, so this also proves there is exactly one value.
            using var document = JsonDocument.Parse(result.Stdout);
            json = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not exactly one JSON value ({e.Message}).\n{result}");
        }
        Assert.Equal(kind, json.ValueKind);
        return json;
    }

    /// Bad input: a non-zero exit, exactly one line on stderr, and no secret anywhere in the output.
    public static void OneLineError(CliResult result)
    {
        Assert.True(result.ExitCode != 0, $"Expected a non-zero exit code.\n{result}");
        var stderr = result.Stderr.TrimEnd('\r', '\n');
        Assert.True(stderr.Length > 0 && !stderr.Contains('\n'), $"Expected exactly one line on stderr.\n{result}");
        Assert.DoesNotContain("cc_secret_", result.Stdout + result.Stderr);
    }
}
