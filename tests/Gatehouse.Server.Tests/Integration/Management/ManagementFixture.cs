using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

/// <summary>
/// A server with an operator (scope <c>clients:manage</c>, token audience = issuer) and the callers the
/// management API must refuse: a partner client, and a client holding <c>clients:manage</c> next to an
/// ordinary scope (so it can mint a token for the right audience without the operator scope).
/// </summary>
public class ManagementFixture : GatehouseFixture
{
    public CreatedClient Operator { get; private set; } = null!;
    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient HalfOperator { get; private set; } = null!;
    public ManagementTestClient Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Operator = await ManagementTestClient.CreateOperatorClientAsync(DataDirectory);
        Partner = await CreateClientAsync("partner");
        HalfOperator = await CreateClientAsync("half-operator", scope: "clients:manage decisions:read");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ManagementTestClient.CreateAsync(Server, Operator);
    }
}
