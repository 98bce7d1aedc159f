using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Dashboard;

/// <summary>
/// A server with dashboard people and team clients: Devi (developer, team acme), Gus (developer, team globex),
/// Olive (operator), Pat (no dashboard role); clients of acme and globex, one of acme at 1 request a second.
/// </summary>
public class DashboardFixture : GatehouseFixture
{
    public const string Password = "correct horse battery staple";
    public const string DeviEmail = "devi.developer@acme.example";
    public const string GusEmail = "gus.developer@globex.example";
    public const string OliveEmail = "olive.operator@gatehouse.example";
    public const string PatEmail = "pat.person@acme.example";

    public CreatedClient AcmePayments { get; private set; } = null!;
    public CreatedClient GlobexReports { get; private set; } = null!;
    public CreatedClient AcmeSlow { get; private set; } = null!;
    public string DeviSub { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
        ["Gatehouse:SignIn:FailuresPerAddress"] = "100000",
    };

    protected override async Task SeedAsync()
    {
        DeviSub = (await GatehouseCli.CreateUserAsync(DataDirectory, DeviEmail, Password, "Devi Developer", "--role", "developer", "--team", "acme"))
            .GetProperty("sub").GetString()!;
        await GatehouseCli.CreateUserAsync(DataDirectory, GusEmail, Password, "Gus Developer", "--role", "developer", "--team", "globex");
        await GatehouseCli.CreateUserAsync(DataDirectory, OliveEmail, Password, "Olive Operator", "--role", "operator");
        await GatehouseCli.CreateUserAsync(DataDirectory, PatEmail, Password, "Pat Person");
        AcmePayments = await CreateTeamClientAsync(DataDirectory, "Acme Payments API", "acme", UnthrottledRateLimit);
        GlobexReports = await CreateTeamClientAsync(DataDirectory, "Globex Reports", "globex", UnthrottledRateLimit);
        AcmeSlow = await CreateTeamClientAsync(DataDirectory, "Acme Batch Sync", "acme", 1);
    }

    public static async Task<CreatedClient> CreateTeamClientAsync(string dataDirectory, string name, string team, int rateLimit)
    {
        var result = await GatehouseCli.RunAsync(dataDirectory, "clients", "create", "--name", name, "--team", team,
            "--rate-limit", rateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"clients create failed.\n{result}");
        return GatehouseCli.ParseCreatedClient(result);
    }

    /// The client's secrets as the CLI lists them (ids and times).
    public async Task<JsonElement> SecretsAsync(string clientId)
    {
        var result = await GatehouseCli.RunAsync(DataDirectory, "secrets", "list", clientId, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }
}

/// Signs a person into the dashboard with the cookie-keeping HTTP browser: /dashboard, the login page, the callback.
public static class DashboardSignInSteps
{
    public static async Task<PageResponse> SignInAsync(SignInBrowser browser, string email, string path = "/dashboard/clients")
    {
        var start = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.Found, start.Status);
        var login = await browser.GetAsync(start.Location!);
        if (login.Body.Contains("action=\"/oauth/login\"")) login = await browser.LogInAsync(login, email, DashboardFixture.Password);
        Assert.True(login.Location?.Contains("/dashboard/callback?") == true, $"Expected the callback, got {(int)login.Status} {login.Location}\n{login.Body}");
        var callback = await browser.GetAsync(login.Location!);
        Assert.True(callback.Status == HttpStatusCode.Found, $"callback: {(int)callback.Status}\n{callback.Body}");
        Assert.Equal(path, callback.Location);
        return await browser.GetAsync(callback.Location!);
    }
}
