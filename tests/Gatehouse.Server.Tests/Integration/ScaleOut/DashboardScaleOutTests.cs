using System.Net;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.Dashboard;

namespace Gatehouse.Server.Tests.Integration.ScaleOut;

/// SPEC 9 on two nodes sharing PostgreSQL and Redis: both ensure the dashboard's client at once, and a
/// dashboard session started on node 1 works on node 2, forms included.
public sealed class DashboardScaleOutTests
{
    [Fact]
    public async Task DashboardSession_StartedOnNode1_WorksOnNode2()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var user = await GatehouseCli.RunWithInputAsync(backend.DataDirectory, DashboardFixture.Password + "\n",
            ["users", "create", "--email", DashboardFixture.DeviEmail, "--name", "Devi", "--role", "developer", "--team", "acme",
             "--password-stdin", "--json", .. backend.NodeSettings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(user.ExitCode == 0, user.ToString());
        var created = await backend.CliAsync("clients", "create", "--name", "Acme Payments API", "--team", "acme", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var client = GatehouseCli.ParseCreatedClient(created);

        var nodes = await backend.StartNodesAsync(2);
        try
        {
            using var browser = new SignInBrowser(nodes[0]);
            // The public issuer is not resolvable here: follow its URLs on the node we choose.
            string On(GatehouseProcess node, string url) => url.Replace(SharedBackend.PublicIssuer, node.BaseAddress, StringComparison.Ordinal);

            var start = await browser.GetAsync("/dashboard/clients");
            var login = await browser.LogInAsync(await browser.GetAsync(On(nodes[0], start.Location!)), DashboardFixture.DeviEmail, DashboardFixture.Password);
            var callback = await browser.GetAsync(On(nodes[0], login.Location!));
            Assert.Equal(HttpStatusCode.Found, callback.Status);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(nodes[0].BaseAddress + callback.Location)).Status);

            // Node 2 honours the dashboard cookie (shared Data Protection keys) and the sign-in session (shared store).
            var page = await browser.GetAsync(nodes[1].BaseAddress + "/dashboard/clients/" + client.ClientId);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var added = await browser.PostAsync(nodes[0].BaseAddress + $"/dashboard/clients/{client.ClientId}/secrets",
                page.Form($"/dashboard/clients/{client.ClientId}/secrets"));
            Assert.Equal(HttpStatusCode.OK, added.Status);
            Assert.True(added.Shows("New secret"));

            var secrets = await backend.CliAsync("secrets", "list", client.ClientId, "--json");
            using var list = System.Text.Json.JsonDocument.Parse(secrets.Stdout);
            Assert.Equal(2, list.RootElement.GetArrayLength());
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
