using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// <summary>
/// A server with a partner client and an operator, for the hardening tests (issue 11): requests an attacker
/// would send, without credentials or with the partner's.
/// </summary>
public class HardeningFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient Operator { get; private set; } = null!;

    /// Holds an operator scope next to an ordinary one.
    public CreatedClient Mixed { get; private set; } = null!;
    public ManagementTestClient Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("hardening-partner");
        Operator = await GatehouseCli.CreateClientAsync(DataDirectory, "hardening-operator", scope: "clients:manage users:manage",
            rateLimit: UnthrottledRateLimit);
        Mixed = await CreateClientAsync("hardening-mixed", scope: "clients:manage decisions:read");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ManagementTestClient.CreateAsync(Server, Operator);
    }

    /// Every route the server maps, with the method it answers, and the paths it never should fail on.
    public IEnumerable<(HttpMethod Method, string Path)> Endpoints()
    {
        var id = Partner.ClientId;
        yield return (HttpMethod.Post, OAuthPaths.Token);
        yield return (HttpMethod.Post, OAuthPaths.PartnerToken);
        yield return (HttpMethod.Post, OAuthPaths.Introspect);
        yield return (HttpMethod.Post, OAuthPaths.PartnerIntrospect);
        yield return (HttpMethod.Post, OAuthPaths.Revoke);
        yield return (HttpMethod.Get, ManagementPaths.Revocations);
        yield return (HttpMethod.Get, ManagementPaths.Audit);
        yield return (HttpMethod.Post, ManagementPaths.Clients);
        yield return (HttpMethod.Get, ManagementPaths.Clients);
        yield return (HttpMethod.Get, ManagementPaths.Client(id));
        yield return (HttpMethod.Patch, ManagementPaths.Client(id));
        yield return (HttpMethod.Delete, ManagementPaths.Client("cc_client_doesnotexist"));
        yield return (HttpMethod.Get, ManagementPaths.Secrets(id));
        yield return (HttpMethod.Post, ManagementPaths.Secrets(id));
        yield return (HttpMethod.Delete, ManagementPaths.Secret(id, "sec_doesnotexist"));
        yield return (HttpMethod.Delete, ManagementPaths.Tokens("cc_client_doesnotexist"));
        yield return (HttpMethod.Post, ManagementPaths.Users);
        yield return (HttpMethod.Get, ManagementPaths.Users);
        yield return (HttpMethod.Get, ManagementPaths.User("nobody"));
        yield return (HttpMethod.Patch, ManagementPaths.User("nobody"));
        yield return (HttpMethod.Delete, ManagementPaths.User("nobody"));
        yield return (HttpMethod.Get, OAuthPaths.Jwks);
        yield return (HttpMethod.Get, OAuthPaths.PartnerJwks);
        yield return (HttpMethod.Get, OAuthPaths.AuthorizationServerMetadata);
        yield return (HttpMethod.Get, OAuthPaths.OpenIdConfiguration);
        yield return (HttpMethod.Get, "/healthz");
        yield return (HttpMethod.Get, "/readyz");
        yield return (HttpMethod.Get, "/metrics");
    }
}
