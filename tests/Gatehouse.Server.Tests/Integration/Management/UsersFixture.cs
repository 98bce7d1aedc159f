using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

/// <summary>
/// The management fixture plus a users operator (scope <c>users:manage</c>, token audience = issuer) and its API client.
/// <see cref="ManagementFixture.Api"/> stays the clients operator, which must not manage users.
/// </summary>
public class UsersFixture : ManagementFixture
{
    public CreatedClient UsersOperator { get; private set; } = null!;
    public ManagementTestClient UsersApi { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        UsersOperator = await CreateClientAsync("users-operator", scope: "users:manage");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UsersApi = await ManagementTestClient.CreateAsync(Server, UsersOperator);
    }

    /// <summary>Creates a user through the API and fails the test unless the server answers 201.</summary>
    public async Task<System.Text.Json.JsonElement> CreateUserAsync(object body)
    {
        var response = await UsersApi.PostAsync(ManagementPaths.Users, body);
        ManagementAssert.Json(System.Net.HttpStatusCode.Created, response);
        return response.Json;
    }

    public async Task<string[]> UserSubsAsync()
    {
        var response = await UsersApi.GetAsync(ManagementPaths.Users);
        ManagementAssert.Json(System.Net.HttpStatusCode.OK, response);
        return OAuthAssert.Property(response.Json, "users").EnumerateArray().Select(u => OAuthAssert.StringProperty(u, "sub")).Order().ToArray();
    }
}
