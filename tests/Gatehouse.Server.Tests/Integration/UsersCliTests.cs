using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

/// A running server, a users:manage operator to look through the API, and one existing user.
public sealed class UsersCliFixture : GatehouseFixture
{
    public const string ExistingEmail = "existing@example.com";
    public const string ExistingPassword = "existing user's password";

    public JsonElement Existing { get; private set; }
    public CreatedClient UsersOperator { get; private set; } = null!;
    public ManagementTestClient Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        UsersOperator = await CreateClientAsync("users-operator", scope: "users:manage");
        Existing = await GatehouseCli.CreateUserAsync(DataDirectory, ExistingEmail, ExistingPassword, "Existing Person");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ManagementTestClient.CreateAsync(Server, UsersOperator);
    }
}

/// SPEC 11 "Admin CLI for people": gatehouse users ..., while a server runs on the same data.
public sealed class UsersCliTests(UsersCliFixture fixture) : IClassFixture<UsersCliFixture>
{
    static readonly string[] UserViewProperties =
    [
        "sub", "email", "email_verified", "name", "given_name", "family_name", "companies", "role", "teams", "disabled",
        "created_at", "updated_at",
    ];

    Task<CliResult> Cli(params string[] args) => GatehouseCli.RunAsync(fixture.DataDirectory, args);

    Task<CliResult> CliWithInput(string stdin, params string[] args) => GatehouseCli.RunWithInputAsync(fixture.DataDirectory, stdin, args);

    Task<string> VerifyAsync(string email, string password) => StoredPasswords.VerifyAsync(fixture.DataDirectory, email, password);

    static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.com";

    [Fact]
    public async Task UsersCreate_EveryOptionWithJson_PrintsOneUserObjectTheServerServesAtOnce()
    {
        var email = Unique("Create.Full");
        const string Password = "a password for the CLI";

        var result = await CliWithInput(Password + "\n", "users", "create", "--email", email, "--name", "Dana Director",
            "--given-name", "Dana", "--family-name", "Director", "--company", "01234567:Acme Lending Ltd",
            "--company", "SC123456:Scot: Holdings:signatory", "--role", "developer", "--team", "payments", "--team", "risk",
            "--password-stdin", "--json");

        var json = CliAssert.SingleJson(result, JsonValueKind.Object);
        ManagementAssert.ExactProperties(json, UserViewProperties);
        var sub = OAuthAssert.StringProperty(json, "sub");
        Assert.Matches("^usr_[0-9A-Za-z]{22}$", sub);
        Assert.Equal(email, OAuthAssert.StringProperty(json, "email"));
        Assert.True(json.GetProperty("email_verified").GetBoolean());
        Assert.Equal("Dana Director", OAuthAssert.StringProperty(json, "name"));
        Assert.Equal("Dana", OAuthAssert.StringProperty(json, "given_name"));
        Assert.Equal("Director", OAuthAssert.StringProperty(json, "family_name"));
        Assert.Equal("""[{"company_number":"01234567","name":"Acme Lending Ltd","role":"director"},{"company_number":"SC123456","name":"Scot: Holdings","role":"signatory"}]""",
            json.GetProperty("companies").GetRawText());
        Assert.Equal("developer", OAuthAssert.StringProperty(json, "role"));
        Assert.Equal(["payments", "risk"], OAuthAssert.StringArray(json, "teams"));
        Assert.False(json.GetProperty("disabled").GetBoolean());
        Assert.DoesNotContain(Password, result.Stdout + result.Stderr);
        Assert.DoesNotContain("password", result.Stdout);

        // The server reads users from the store: no pick-up delay.
        var served = await fixture.Api.GetAsync(ManagementPaths.User(sub));
        ManagementAssert.Json(HttpStatusCode.OK, served);
        Assert.Equal(json.GetRawText(), served.Json.GetRawText());
        Assert.Equal("ok", await VerifyAsync(email.ToUpperInvariant(), Password));
    }

    [Fact]
    public async Task UsersCreate_EmailUnverified_RecordsEmailVerifiedFalse()
    {
        var user = await GatehouseCli.CreateUserAsync(fixture.DataDirectory, Unique("unverified"), "password-unverified", "U", "--email-unverified");

        Assert.False(user.GetProperty("email_verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("role").ValueKind);
        Assert.Empty(user.GetProperty("companies").EnumerateArray());
    }

    /// SPEC 8: `--password-stdin` strips one trailing newline, and only one.
    [Theory]
    [InlineData("plain newline", "stdin-password\n", "stdin-password")]
    [InlineData("CRLF", "stdin-password\r\n", "stdin-password")]
    [InlineData("no newline", "stdin-password", "stdin-password")]
    [InlineData("two newlines", "stdin-password\n\n", "stdin-password\n")]
    [InlineData("trailing space", "stdin-password \n", "stdin-password ")]
    [InlineData("lone CR", "stdin-password\r", "stdin-password\r")]
    public async Task UsersCreate_PasswordStdin_StripsExactlyOneTrailingNewline(string what, string stdin, string expected)
    {
        var email = Unique("stdin");

        var result = await CliWithInput(stdin, "users", "create", "--email", email, "--name", "Stdin Person", "--password-stdin", "--json");

        CliAssert.SingleJson(result, JsonValueKind.Object);
        Assert.True(await VerifyAsync(email, expected) == "ok", $"{what}: the stored password is not {JsonSerializer.Serialize(expected)}");
        if (expected != stdin) Assert.Equal("incorrect_credentials", await VerifyAsync(email, stdin));
    }

    public static TheoryData<string, string?, string[]> BadInput => new()
    {
        { "missing --email", "password-123\n", ["users", "create", "--name", "N", "--password-stdin"] },
        { "missing --name", "password-123\n", ["users", "create", "--email", "bad-1@example.com", "--password-stdin"] },
        { "implausible email", "password-123\n", ["users", "create", "--email", "not an email", "--name", "N", "--password-stdin"] },
        { "no --password-stdin", "password-123\n", ["users", "create", "--email", "bad-2@example.com", "--name", "N"] },
        { "password as an argument", null, ["users", "create", "--email", "bad-3@example.com", "--name", "N", "--password", "password-123"] },
        { "empty stdin", "", ["users", "create", "--email", "bad-4@example.com", "--name", "N", "--password-stdin"] },
        { "only a newline", "\n", ["users", "create", "--email", "bad-5@example.com", "--name", "N", "--password-stdin"] },
        { "7-character password", "1234567\n", ["users", "create", "--email", "bad-6@example.com", "--name", "N", "--password-stdin"] },
        { "short company number", "password-123\n", ["users", "create", "--email", "bad-7@example.com", "--name", "N", "--company", "1234:Acme", "--password-stdin"] },
        { "company without a name", "password-123\n", ["users", "create", "--email", "bad-8@example.com", "--name", "N", "--company", "01234567", "--password-stdin"] },
        { "unknown company role", "password-123\n", ["users", "create", "--email", "bad-9@example.com", "--name", "N", "--company", "01234567:Acme:ceo", "--password-stdin"] },
        { "unknown role", "password-123\n", ["users", "create", "--email", "bad-10@example.com", "--name", "N", "--role", "admin", "--password-stdin"] },
        { "bad team", "password-123\n", ["users", "create", "--email", "bad-11@example.com", "--name", "N", "--team", "Bad_Team", "--password-stdin"] },
        { "email taken in another case", "password-123\n", ["users", "create", "--email", "EXISTING@example.com", "--name", "N", "--password-stdin"] },
        { "show unknown sub", null, ["users", "show", "usr_DoesNotExist00000000000"] },
        { "delete unknown sub", null, ["users", "delete", "usr_DoesNotExist00000000000"] },
        { "disable unknown sub", null, ["users", "disable", "usr_DoesNotExist00000000000"] },
        { "enable unknown sub", null, ["users", "enable", "usr_DoesNotExist00000000000"] },
        { "set-password unknown sub", "password-123\n", ["users", "set-password", "usr_DoesNotExist00000000000", "--password-stdin"] },
        { "set-password without --password-stdin", "password-123\n", ["users", "set-password", "{existing}"] },
        { "set-password too short", "short\n", ["users", "set-password", "{existing}", "--password-stdin"] },
        { "unknown subcommand", null, ["users", "frobnicate"] },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Users_BadInput_FailsWithOneLineErrorAndChangesNothing(string scenario, string? stdin, string[] template)
    {
        var args = template.Select(a => a.Replace("{existing}", fixture.Existing.GetProperty("sub").GetString())).ToArray();
        var before = await Cli("users", "list", "--json");
        Assert.True(before.ExitCode == 0, before.ToString());

        var result = await GatehouseCli.RunWithInputAsync(fixture.DataDirectory, stdin, args);

        CliAssert.OneLineError(result);
        Assert.DoesNotContain("password-123", result.Stdout + result.Stderr);
        var after = await Cli("users", "list", "--json");
        Assert.True(before.Stdout == after.Stdout, $"{scenario}: users list changed.\nbefore:\n{before.Stdout}\nafter:\n{after.Stdout}");
        Assert.Equal("ok", await VerifyAsync(UsersCliFixture.ExistingEmail, UsersCliFixture.ExistingPassword));
    }

    [Fact]
    public async Task UsersListAndShow_Json_ShowEveryUserThroughOneView()
    {
        var created = await GatehouseCli.CreateUserAsync(fixture.DataDirectory, Unique("list"), "password-list", "Listed Person");
        var sub = created.GetProperty("sub").GetString()!;

        var list = CliAssert.SingleJson(await Cli("users", "list", "--json"), JsonValueKind.Array);
        var shown = CliAssert.SingleJson(await Cli("users", "show", sub, "--json"), JsonValueKind.Object);
        var text = await Cli("users", "list");

        Assert.Contains(list.EnumerateArray(), u => u.GetProperty("sub").GetString() == fixture.Existing.GetProperty("sub").GetString());
        var listed = list.EnumerateArray().Single(u => u.GetProperty("sub").GetString() == sub);
        Assert.Equal(created.GetRawText(), listed.GetRawText());
        Assert.Equal(created.GetRawText(), shown.GetRawText());
        foreach (var user in list.EnumerateArray()) ManagementAssert.ExactProperties(user, UserViewProperties);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(sub, text.Stdout);
    }

    [Fact]
    public async Task UsersDisableEnable_FlipDisabledAndTheSignInCheck()
    {
        var email = Unique("disable");
        var sub = (await GatehouseCli.CreateUserAsync(fixture.DataDirectory, email, "password-disable")).GetProperty("sub").GetString()!;

        var disabled = CliAssert.SingleJson(await Cli("users", "disable", sub, "--json"), JsonValueKind.Object);

        Assert.True(disabled.GetProperty("disabled").GetBoolean());
        Assert.NotNull(ManagementAssert.Time(disabled, "updated_at"));
        Assert.Equal("account_disabled", await VerifyAsync(email, "password-disable"));
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "wrong-password"));
        Assert.True((await fixture.Api.GetAsync(ManagementPaths.User(sub))).Json.GetProperty("disabled").GetBoolean());

        var enabled = CliAssert.SingleJson(await Cli("users", "enable", sub, "--json"), JsonValueKind.Object);

        Assert.False(enabled.GetProperty("disabled").GetBoolean());
        Assert.Equal("ok", await VerifyAsync(email, "password-disable"));
    }

    [Fact]
    public async Task UsersSetPassword_FromStdin_ReplacesThePassword()
    {
        var email = Unique("set-password");
        var sub = (await GatehouseCli.CreateUserAsync(fixture.DataDirectory, email, "the-old-password")).GetProperty("sub").GetString()!;

        var result = await CliWithInput("the-new-password\r\n", "users", "set-password", sub, "--password-stdin");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("the-new-password", result.Stdout + result.Stderr);
        Assert.Equal("ok", await VerifyAsync(email, "the-new-password"));
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "the-old-password"));
    }

    [Fact]
    public async Task UsersDelete_RemovesTheUserAndItsSubIsNotReused()
    {
        var email = Unique("delete");
        var sub = (await GatehouseCli.CreateUserAsync(fixture.DataDirectory, email, "password-delete")).GetProperty("sub").GetString()!;

        var deleted = await Cli("users", "delete", sub);

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        CliAssert.OneLineError(await Cli("users", "show", sub));
        var list = CliAssert.SingleJson(await Cli("users", "list", "--json"), JsonValueKind.Array);
        Assert.DoesNotContain(list.EnumerateArray(), u => u.GetProperty("sub").GetString() == sub);
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await fixture.Api.GetAsync(ManagementPaths.User(sub)));
        Assert.Equal("incorrect_credentials", await VerifyAsync(email, "password-delete"));
        // The email is free again, for a new person with a new sub.
        var again = await GatehouseCli.CreateUserAsync(fixture.DataDirectory, email, "password-delete");
        Assert.NotEqual(sub, again.GetProperty("sub").GetString());
        CliAssert.OneLineError(await Cli("users", "delete", sub));
    }
}
