using Gatehouse.Server.Clients;
using Gatehouse.Server.Endpoints.Token;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Tests.Unit;

public class GrantedScopeTests
{
    private const string Issuer = "https://gatehouse.example";

    private static readonly Client Mixed = new("cc_client_m", "m", ["decisions:read", "clients:manage", "users:manage"],
        ["partner/v1"], [GrantTypes.ClientCredentials], null, DateTimeOffset.UnixEpoch, []);

    private static readonly Client Client = new("cc_client_x", "x", ["applications:write", "decisions:read", "payments:write"],
        ["partner/v1"], [GrantTypes.ClientCredentials], null, DateTimeOffset.UnixEpoch, []);

    [Theory]
    [InlineData(null, "applications:write decisions:read payments:write")]
    [InlineData("", "applications:write decisions:read payments:write")]
    [InlineData("decisions:read", "decisions:read")]
    [InlineData("decisions:read  applications:write", "decisions:read applications:write")]
    [InlineData("decisions:read decisions:read", "decisions:read")]
    public void GrantedScope_DefaultsToFullSet_AndHonoursNarrowing(string? requested, string expected) =>
        Assert.Equal(expected, ClientCredentialsGrant.GrantedScope(Client, requested, "partner/v1", Issuer).Value);

    [Theory]
    [InlineData("payments:read", "payments:read")]
    [InlineData("decisions:read clients:manage", "clients:manage")]
    public void GrantedScope_NotGranted_IsInvalidScopeNamingIt(string requested, string named)
    {
        var error = ClientCredentialsGrant.GrantedScope(Client, requested, "partner/v1", Issuer).Error;

        Assert.Equal(OAuthErrorCodes.InvalidScope, error.Code);
        Assert.Contains($"'{named}'", error.Description);
    }

    [Theory]
    [InlineData(null, "partner/v1", "decisions:read")]
    [InlineData(null, Issuer, "decisions:read clients:manage users:manage")]
    [InlineData("clients:manage", Issuer, "clients:manage")]
    public void GrantedScope_ManagementScopes_OnlyForTheIssuerAudience(string? requested, string audience, string expected) =>
        Assert.Equal(expected, ClientCredentialsGrant.GrantedScope(Mixed, requested, audience, Issuer).Value);

    [Theory]
    [InlineData("users:manage")]
    [InlineData("decisions:read clients:manage")]
    public void GrantedScope_ManagementScopeForAnotherAudience_IsInvalidScope(string requested)
    {
        var error = ClientCredentialsGrant.GrantedScope(Mixed, requested, "partner/v1", Issuer).Error;

        Assert.Equal(OAuthErrorCodes.InvalidScope, error.Code);
        Assert.Contains(Issuer, error.Description);
    }
}

public class ClientScopeStringTests
{
    [Fact]
    public void ScopeString_FollowsScopesThroughWithExpressions()
    {
        var client = new Client("cc_client_x", "x", ["a", "b"], ["partner/v1"], [GrantTypes.ClientCredentials], null, DateTimeOffset.UnixEpoch, []);

        var narrowed = client with { Scopes = ["c"] };

        Assert.Equal("a b", client.ScopeString);
        Assert.Equal("c", narrowed.ScopeString);
    }
}
