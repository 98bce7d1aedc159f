using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class UsersEndpointFixture : UsersFixture;

/// SPEC 2 and 8: POST/GET /oauth/users and GET/PATCH/DELETE /oauth/users/{sub} as a users:manage operator
/// (contract notes "Users").
public sealed class UsersEndpointTests(UsersEndpointFixture fixture) : IClassFixture<UsersEndpointFixture>
{
    static readonly string[] UserViewProperties =
    [
        "sub", "email", "email_verified", "name", "given_name", "family_name", "companies", "role", "teams", "disabled",
        "created_at", "updated_at",
    ];

    ManagementTestClient Api => fixture.UsersApi;

    static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    Task<string> VerifyAsync(string email, string password) => StoredPasswords.VerifyAsync(fixture.DataDirectory, email, password);

    [Fact]
    public async Task Create_FullBody_Returns201WithLocationAndTheUserViewAndNoPassword()
    {
        var started = DateTimeOffset.UtcNow;
        var email = Unique("Full.Create");
        const string Password = "full create password";

        var response = await Api.PostAsync(ManagementPaths.Users, new
        {
            email = "  " + email + " ",
            email_verified = true,
            name = "Sam Signatory",
            given_name = "Sam",
            family_name = "Signatory",
            companies = new object[]
            {
                new { company_number = "01234567", name = "Acme Lending Ltd", role = "signatory" },
                new { company_number = "ni123456", name = "Belfast Co" },
            },
            role = "operator",
            teams = new[] { "payments", "risk" },
            disabled = false,
            password = Password,
        });

        ManagementAssert.Json(HttpStatusCode.Created, response);
        var json = response.Json;
        ManagementAssert.ExactProperties(json, UserViewProperties);
        var sub = OAuthAssert.StringProperty(json, "sub");
        Assert.Matches("^usr_[0-9A-Za-z]{22}$", sub);
        Assert.Equal(ManagementPaths.User(sub), response.Header("Location"));
        Assert.Equal(email, response.Text("email"));
        Assert.True(json.GetProperty("email_verified").GetBoolean());
        Assert.Equal("Sam Signatory", response.Text("name"));
        Assert.Equal("Sam", response.Text("given_name"));
        Assert.Equal("Signatory", response.Text("family_name"));
        Assert.Equal("""[{"company_number":"01234567","name":"Acme Lending Ltd","role":"signatory"},{"company_number":"NI123456","name":"Belfast Co","role":"director"}]""",
            json.GetProperty("companies").GetRawText());
        Assert.Equal("operator", response.Text("role"));
        Assert.Equal(["payments", "risk"], OAuthAssert.StringArray(json, "teams"));
        Assert.False(json.GetProperty("disabled").GetBoolean());
        ManagementAssert.Near(started, ManagementAssert.Time(json, "created_at"), TimeSpan.FromMinutes(1), "created_at");
        Assert.Null(ManagementAssert.Time(json, "updated_at"));
        Assert.DoesNotContain(Password, response.Body);
        Assert.DoesNotContain("password", response.Body);

        var read = await Api.GetAsync(response.Header("Location")!);
        ManagementAssert.Json(HttpStatusCode.OK, read);
        Assert.Equal(json.GetRawText(), read.Json.GetRawText());
        Assert.Equal("ok", await VerifyAsync(email, Password));
    }

    [Fact]
    public async Task Create_MinimalBody_AppliesTheDefaults()
    {
        var json = await fixture.CreateUserAsync(new { email = Unique("minimal"), name = "Min", password = "minimal password" });

        Assert.True(json.GetProperty("email_verified").GetBoolean()); // SPEC 8: operators' users are verified unless they say not
        Assert.Equal(JsonValueKind.Null, json.GetProperty("given_name").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("family_name").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("role").ValueKind);
        Assert.Empty(json.GetProperty("companies").EnumerateArray());
        Assert.Empty(json.GetProperty("teams").EnumerateArray());
        Assert.False(json.GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task Create_EmailVerifiedFalse_IsKept()
    {
        var json = await fixture.CreateUserAsync(new { email = Unique("unverified"), name = "U", password = "unverified password", email_verified = false });

        Assert.False(json.GetProperty("email_verified").GetBoolean());
    }

    /// Every refusal is 400 invalid_request naming the field (contract notes "Users"); nothing is created.
    [Theory]
    [InlineData("missing email", """{"name":"V","password":"valid password"}""", "email")]
    [InlineData("implausible email", """{"email":"no-at-sign","name":"V","password":"valid password"}""", "email")]
    [InlineData("email with a space", """{"email":"a b@example.com","name":"V","password":"valid password"}""", "email")]
    [InlineData("email as a number", """{"email":42,"name":"V","password":"valid password"}""", "email")]
    [InlineData("missing name", """{"email":"v1@example.com","password":"valid password"}""", "name")]
    [InlineData("blank name", """{"email":"v2@example.com","name":"  ","password":"valid password"}""", "name")]
    [InlineData("given_name as a number", """{"email":"v3@example.com","name":"V","given_name":1,"password":"valid password"}""", "given_name")]
    [InlineData("missing password", """{"email":"v4@example.com","name":"V"}""", "password")]
    [InlineData("7-character password", """{"email":"v5@example.com","name":"V","password":"1234567"}""", "password")]
    [InlineData("password as a number", """{"email":"v6@example.com","name":"V","password":12345678}""", "password")]
    [InlineData("companies not an array", """{"email":"v7@example.com","name":"V","password":"valid password","companies":"01234567"}""", "companies")]
    [InlineData("company number too short", """{"email":"v8@example.com","name":"V","password":"valid password","companies":[{"company_number":"1234","name":"Co"}]}""", "companies")]
    [InlineData("company with an unknown key", """{"email":"v9@example.com","name":"V","password":"valid password","companies":[{"company_number":"01234567","name":"Co","vat":"x"}]}""", "companies")]
    [InlineData("company role", """{"email":"v10@example.com","name":"V","password":"valid password","companies":[{"company_number":"01234567","name":"Co","role":"owner"}]}""", "companies")]
    [InlineData("unknown role", """{"email":"v11@example.com","name":"V","password":"valid password","role":"admin"}""", "role")]
    [InlineData("teams not an array", """{"email":"v12@example.com","name":"V","password":"valid password","teams":"payments"}""", "teams")]
    [InlineData("bad team", """{"email":"v13@example.com","name":"V","password":"valid password","teams":["Payments Team"]}""", "teams")]
    [InlineData("email_verified as a string", """{"email":"v14@example.com","name":"V","password":"valid password","email_verified":"yes"}""", "email_verified")]
    [InlineData("disabled as a number", """{"email":"v15@example.com","name":"V","password":"valid password","disabled":1}""", "disabled")]
    [InlineData("unknown field", """{"email":"v16@example.com","name":"V","password":"valid password","colour":"red"}""", "colour")]
    [InlineData("read-only sub", """{"email":"v17@example.com","name":"V","password":"valid password","sub":"usr_mine"}""", "sub")]
    [InlineData("malformed JSON", """{"email":"v18@example.com",""", null)]
    [InlineData("JSON array, not object", """[{"email":"v19@example.com"}]""", null)]
    public async Task Create_InvalidBody_Returns400NamingTheFieldAndCreatesNothing(string what, string body, string? field)
    {
        _ = what;
        var before = await fixture.UserSubsAsync();

        var response = await Api.PostAsync(ManagementPaths.Users, body);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response, field);
        Assert.DoesNotContain("valid password", response.Body);
        Assert.Equal(before, await fixture.UserSubsAsync());
    }

    [Fact]
    public async Task Create_EmailTakenInAnotherCase_Returns409ConflictAndCreatesNothing()
    {
        var email = Unique("taken");
        await fixture.CreateUserAsync(new { email, name = "First", password = "first password" });
        var before = await fixture.UserSubsAsync();

        var response = await Api.PostAsync(ManagementPaths.Users, new { email = email.ToUpperInvariant(), name = "Second", password = "second password" });

        ManagementAssert.Problem(HttpStatusCode.Conflict, "conflict", response, "email");
        Assert.Equal(before, await fixture.UserSubsAsync());
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "second password"));
    }

    [Fact]
    public async Task List_AsOperator_ReturnsEveryUserThroughTheView()
    {
        var created = await fixture.CreateUserAsync(new { email = Unique("list"), name = "Listed", password = "listed password" });

        var response = await Api.GetAsync(ManagementPaths.Users);

        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, "users");
        var users = OAuthAssert.Property(response.Json, "users").EnumerateArray().ToArray();
        foreach (var user in users) ManagementAssert.ExactProperties(user, UserViewProperties);
        Assert.Contains(users, u => u.GetRawText() == created.GetRawText());
        Assert.DoesNotContain("password", response.Body);
    }

    [Fact]
    public async Task Read_UnknownSub_Returns404NotFound()
    {
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.GetAsync(ManagementPaths.User("usr_DoesNotExist00000000000")));
    }

    [Fact]
    public async Task Patch_MergePatch_ChangesOnlyTheNamedFieldsAndNullClears()
    {
        var created = await fixture.CreateUserAsync(new
        {
            email = Unique("patch"), name = "Before", given_name = "Bea", family_name = "Fore", role = "developer", teams = new[] { "payments" },
            companies = new[] { new { company_number = "01234567", name = "Acme" } }, password = "patch password",
        });
        var sub = OAuthAssert.StringProperty(created, "sub");

        var response = await Api.PatchAsync(ManagementPaths.User(sub), """
            {"name":"After","given_name":null,"role":null,"companies":[{"company_number":"SC123456","name":"Scot","role":"signatory"}],"email_verified":false}
            """);

        ManagementAssert.Json(HttpStatusCode.OK, response);
        var json = response.Json;
        ManagementAssert.ExactProperties(json, UserViewProperties);
        Assert.Equal("After", response.Text("name"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("given_name").ValueKind);
        Assert.Equal("Fore", response.Text("family_name"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("role").ValueKind);
        Assert.Equal(["payments"], OAuthAssert.StringArray(json, "teams"));
        Assert.Equal("""[{"company_number":"SC123456","name":"Scot","role":"signatory"}]""", json.GetProperty("companies").GetRawText());
        Assert.False(json.GetProperty("email_verified").GetBoolean());
        Assert.Equal(created.GetProperty("email").GetString(), response.Text("email"));
        Assert.Equal(created.GetProperty("created_at").GetString(), response.Text("created_at"));
        Assert.True(ManagementAssert.Time(json, "updated_at") >= ManagementAssert.Time(created, "created_at"));
        Assert.Equal(json.GetRawText(), (await Api.GetAsync(ManagementPaths.User(sub))).Json.GetRawText());
        Assert.Equal("ok", await VerifyAsync(created.GetProperty("email").GetString()!, "patch password"));
    }

    [Fact]
    public async Task Patch_EmailPasswordAndDisabled_TakeEffectForSignIn()
    {
        var email = Unique("patch-sign-in");
        var sub = OAuthAssert.StringProperty(await fixture.CreateUserAsync(new { email, name = "P", password = "the old password" }), "sub");
        var newEmail = Unique("patched-sign-in");

        var changed = await Api.SendJsonAsync(HttpMethod.Patch, ManagementPaths.User(sub),
            new { email = newEmail, password = "the new password" }, contentType: "application/merge-patch+json");

        ManagementAssert.Json(HttpStatusCode.OK, changed);
        Assert.DoesNotContain("the new password", changed.Body);
        Assert.Equal("ok", await VerifyAsync(newEmail, "the new password"));
        Assert.Equal("incorrect_credentials", await VerifyAsync(newEmail, "the old password"));
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "the new password"));

        var disabled = await Api.PatchAsync(ManagementPaths.User(sub), new { disabled = true });

        ManagementAssert.Json(HttpStatusCode.OK, disabled);
        Assert.True(disabled.Json.GetProperty("disabled").GetBoolean());
        Assert.Equal("account_disabled", await VerifyAsync(newEmail, "the new password"));
    }

    [Theory]
    [InlineData("""{"email":"nope"}""", "email")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"password":"short"}""", "password")]
    [InlineData("""{"teams":["UPPER"]}""", "teams")]
    [InlineData("""{"companies":[{"company_number":"0123456789","name":"Co"}]}""", "companies")]
    [InlineData("""{"disabled":null}""", "disabled")]
    [InlineData("""{"sub":"usr_other"}""", "sub")]
    [InlineData("""{"name":"x",""", null)]
    public async Task Patch_InvalidChange_Returns400NamingTheFieldAndChangesNothing(string body, string? field)
    {
        var email = Unique("patch-bad");
        var created = await fixture.CreateUserAsync(new { email, name = "Unchanged", password = "unchanged password" });
        var sub = OAuthAssert.StringProperty(created, "sub");

        var response = await Api.PatchAsync(ManagementPaths.User(sub), body);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response, field);
        Assert.Equal(created.GetRawText(), (await Api.GetAsync(ManagementPaths.User(sub))).Json.GetRawText());
        Assert.Equal("ok", await VerifyAsync(email, "unchanged password"));
    }

    [Fact]
    public async Task Patch_AnotherUsersEmail_Returns409ConflictAndChangesNothing()
    {
        var taken = Unique("patch-taken");
        await fixture.CreateUserAsync(new { email = taken, name = "Owner", password = "owner password" });
        var other = await fixture.CreateUserAsync(new { email = Unique("patch-taker"), name = "Taker", password = "taker password" });
        var sub = OAuthAssert.StringProperty(other, "sub");

        var response = await Api.PatchAsync(ManagementPaths.User(sub), new { email = taken.ToUpperInvariant(), name = "Renamed" });

        ManagementAssert.Problem(HttpStatusCode.Conflict, "conflict", response, "email");
        Assert.Equal(other.GetRawText(), (await Api.GetAsync(ManagementPaths.User(sub))).Json.GetRawText());
    }

    [Fact]
    public async Task Patch_UnknownSub_Returns404NotFound()
    {
        var before = await fixture.UserSubsAsync();

        var response = await Api.PatchAsync(ManagementPaths.User("usr_DoesNotExist00000000000"), new { name = "Ghost" });

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
        Assert.Equal(before, await fixture.UserSubsAsync());
    }

    [Fact]
    public async Task Delete_User_Returns204ThenTheUserIs404AndCannotSignIn()
    {
        var email = Unique("delete");
        var sub = OAuthAssert.StringProperty(await fixture.CreateUserAsync(new { email, name = "Doomed", password = "doomed password" }), "sub");

        var response = await Api.DeleteAsync(ManagementPaths.User(sub));

        OAuthAssert.Status(HttpStatusCode.NoContent, response);
        OAuthAssert.NoStore(response);
        Assert.Equal("", response.Body);
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.GetAsync(ManagementPaths.User(sub)));
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.PatchAsync(ManagementPaths.User(sub), new { name = "Back" }));
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.DeleteAsync(ManagementPaths.User(sub)));
        Assert.DoesNotContain(sub, await fixture.UserSubsAsync());
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "doomed password"));
    }

    /// SPEC 5 "Every management action lands in an audit log": the operator as actor, the sub as target, no password.
    [Fact]
    public async Task Changes_AreAuditedWithTheOperatorAndNeverThePassword()
    {
        var sub = OAuthAssert.StringProperty(await fixture.CreateUserAsync(new { email = Unique("audit"), name = "Audited", password = "audited password 1" }), "sub");
        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.User(sub), new { password = "audited password 2" }));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.User(sub), new { disabled = true }));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.User(sub), new { disabled = false }));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.User(sub), new { name = "Audited 2" }));
        OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.User(sub)));

        var entries = (await fixture.Api.AuditAsync()).Where(e => e.GetProperty("target").GetString() == sub).ToArray();

        Assert.Equal(["user.created", "user.password_changed", "user.disabled", "user.enabled", "user.updated", "user.deleted"],
            entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("client:" + fixture.UsersOperator.ClientId, e.GetProperty("actor").GetString()));
        var text = string.Join("\n", entries.Select(e => e.GetRawText()));
        Assert.DoesNotContain("audited password", text);
        Assert.DoesNotContain("AQAAAA", text); // the start of every Identity V3 hash
    }
}
