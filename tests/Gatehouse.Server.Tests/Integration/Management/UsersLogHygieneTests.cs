using System.Net;
using Gatehouse.Server.Tests.Harness;
using Xunit.Abstractions;

namespace Gatehouse.Server.Tests.Integration.Management;

/// SPEC 8: a password is "never logged". Users are created and their passwords set through the CLI and the API
/// while a server runs; neither password appears in the server's log, at the default level nor at Debug.
public sealed class UsersLogHygieneTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("default")]
    [InlineData("Debug")]
    public async Task ServerLogs_AfterUsersAreCreatedAndTheirPasswordsChanged_ContainNoPassword(string logLevel)
    {
        // Distinctive values, so a match can only be a leak.
        string[] passwords =
        [
            "cli-create-Pa55word-7c1f", "api-create-Pa55word-93be", "api-patch-Pa55word-2d40", "cli-reset-Pa55word-e6a8",
            "api-rejected-Pa55word-51c3",
        ];
        using var dataDirectory = new ScratchDirectory();
        var usersOperator = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "hygiene-users", scope: "users:manage",
            rateLimit: GatehouseFixture.UnthrottledRateLimit);
        var settings = new Dictionary<string, string>();
        if (logLevel != "default")
        {
            settings["Logging:LogLevel:Default"] = logLevel;
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = logLevel;
        }
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path, settings);
        var api = await ManagementTestClient.CreateAsync(server, usersOperator);

        var cliUser = await GatehouseCli.CreateUserAsync(dataDirectory.Path, "hygiene-cli@example.com", passwords[0]);
        var created = await api.PostAsync(ManagementPaths.Users, new { email = "hygiene-api@example.com", name = "Hygiene", password = passwords[1] });
        ManagementAssert.Json(HttpStatusCode.Created, created);
        var apiSub = created.Text("sub")!;
        ManagementAssert.Json(HttpStatusCode.OK, await api.PatchAsync(ManagementPaths.User(apiSub), new { password = passwords[2] }));
        var reset = await GatehouseCli.RunWithInputAsync(dataDirectory.Path, passwords[3] + "\n",
            "users", "set-password", cliUser.GetProperty("sub").GetString()!, "--password-stdin");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        // Refused requests carrying a password: a taken email, and a body that breaks another rule.
        ManagementAssert.Problem(HttpStatusCode.Conflict, "conflict",
            await api.PostAsync(ManagementPaths.Users, new { email = "HYGIENE-API@example.com", name = "Dup", password = passwords[4] }), "email");
        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request",
            await api.PostAsync(ManagementPaths.Users, new { email = "bad", name = "Bad", password = passwords[4] }), "email");
        Assert.Equal("ok", await StoredPasswords.VerifyAsync(dataDirectory.Path, "hygiene-api@example.com", passwords[2]));
        Assert.Equal("ok", await StoredPasswords.VerifyAsync(dataDirectory.Path, "hygiene-cli@example.com", passwords[3]));
        Assert.Equal("incorrect_credentials", await StoredPasswords.VerifyAsync(dataDirectory.Path, "hygiene-cli@example.com", passwords[0]));

        await server.StopAsync(); // every line flushed
        var logs = server.Logs;

        output.WriteLine($"{logs.Split('\n').Length} log lines.");
        Assert.Contains("listening", logs, StringComparison.OrdinalIgnoreCase); // the capture works
        foreach (var password in passwords)
            Assert.False(logs.Contains(password, StringComparison.Ordinal), $"A password is in the server's logs ({password}).");
        Assert.DoesNotContain("Pa55word", logs);
    }
}
