using System.Net;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.Management;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// Issue 8: "Enforce each client's registered token_endpoint_auth_method". A client registered without one keeps
/// both secret methods, as seeds 001 and 002 use them with one client.
public sealed class ClientAuthMethodTests(ManagementFixture fixture) : IClassFixture<ManagementFixture>
{
    [Theory]
    [InlineData("client_secret_basic", true, true)]
    [InlineData("client_secret_basic", false, false)]
    [InlineData("client_secret_post", false, true)]
    [InlineData("client_secret_post", true, false)]
    public async Task Token_RegisteredAuthMethod_IsTheOnlyOneAccepted(string method, bool useBasic, bool accepted)
    {
        var registered = await fixture.Api.PostAsync(ManagementPaths.Clients, new { name = "auth-" + method, token_endpoint_auth_method = method });
        OAuthAssert.Status(HttpStatusCode.Created, registered);
        var client = ManagementTestClient.FromRegistration(registered);
        var response = useBasic
            ? await fixture.OAuth.RequestTokenBasicAsync(client)
            : await fixture.OAuth.RequestTokenPostAsync(client.ClientId, client.ClientSecret);
        if (accepted) OAuthAssert.Status(HttpStatusCode.OK, response);
        else OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Fact]
    public async Task Token_ClientRegisteredWithoutAuthMethod_AcceptsBothSecretMethods()
    {
        var client = await fixture.Api.RegisterAsync("auth-default");
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.OAuth.RequestTokenPostAsync(client.ClientId, client.ClientSecret));
    }
}
