using Gatehouse.Server.Hosting;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Harness;

/// Checks a password the way the login page will (UserManagement.VerifyPasswordAsync), against the store of a
/// data directory that a server or the CLI uses, on whichever engine the tests run.
internal static class StoredPasswords
{
    /// "ok", or the refusal's code (incorrect_credentials, account_disabled).
    public static async Task<string> VerifyAsync(string dataDirectory, string email, string password)
    {
        var settings = new Dictionary<string, string?> { ["Gatehouse:DataDirectory"] = dataDirectory };
        foreach (var argument in TestStorage.ArgumentsFor(dataDirectory, []))
        {
            var (key, value) = (argument[2..argument.IndexOf('=')], argument[(argument.IndexOf('=') + 1)..]);
            settings[key] = value;
        }
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddGatehouseCore()
            .BuildServiceProvider();
        var verified = await services.GetRequiredService<UserManagement>().VerifyPasswordAsync(email, password, default);
        return verified.IsError ? verified.Error.Code : "ok";
    }
}
