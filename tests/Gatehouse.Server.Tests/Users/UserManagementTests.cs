using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Tests.Users;

/// UserManagement, the one home of the user rules, over a real SQLite store built by the server's own DI.
public sealed class UserManagementTests : IAsyncLifetime
{
    const string Password = "correct horse battery staple";

    readonly string _directory = TestDirectories.Create();
    readonly CountingHasher _hasher = new();
    ServiceProvider _services = null!;

    UserManagement Management => _services.GetRequiredService<UserManagement>();
    IUserStore Store => _services.GetRequiredService<IUserStore>();
    IAuditLog Audit => _services.GetRequiredService<IAuditLog>();
    static Actor Operator => new("client:ops", "127.0.0.1");

    public Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gatehouse:DataDirectory"] = _directory,
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddGatehouseCore()
            .AddSingleton<IPasswordHasher<User>>(_hasher)
            .BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestDirectories.Delete(_directory);
    }

    Task<Outcome<User>> CreateAsync(string email = "alice@example.com", string password = Password) =>
        Management.CreateAsync(new UserRegistration(Email: email, Name: "Alice", Password: password), Operator, default);

    [Fact]
    public async Task Create_ValidRegistration_NormalisesFieldsAndStoresOnlyAHash()
    {
        var created = await Management.CreateAsync(new UserRegistration(
            Email: "  Alice@Example.com ", Name: " Alice Archer ", GivenName: " ", FamilyName: "Archer",
            Companies: [new("sc123456", " Scot Co "), new("01234567", "Acme Lending Ltd", "signatory")],
            Role: "developer", Teams: ["payments", "payments", "risk-1"], Password: " " + Password + " "), Operator, default);

        Assert.False(created.IsError, created.Error?.Description);
        var user = created.Value;
        Assert.Matches("^usr_[0-9A-Za-z]{22}$", user.Sub);
        Assert.Equal("Alice@Example.com", user.Email);
        Assert.True(user.EmailVerified);
        Assert.Equal("Alice Archer", user.Name);
        Assert.Null(user.GivenName);
        Assert.Equal("Archer", user.FamilyName);
        Assert.Equal([new Company("SC123456", "Scot Co", "director"), new Company("01234567", "Acme Lending Ltd", "signatory")], user.Companies);
        Assert.Equal("developer", user.Role);
        Assert.Equal(["payments", "risk-1"], user.Teams);
        Assert.False(user.Disabled);
        Assert.DoesNotContain(Password, user.PasswordHash);
        // The password is taken exactly as given, spaces and all.
        Assert.False((await Management.VerifyPasswordAsync("alice@example.com", " " + Password + " ", default)).IsError);
        Assert.True((await Management.VerifyPasswordAsync("alice@example.com", Password, default)).IsError);
    }

    /// Each broken rule and the field its refusal must name (the registration types are internal, so rows go by name).
    static readonly Dictionary<string, (UserRegistration Registration, string Field)> Invalid = new()
    {
        ["missing email"] = (new(Name: "A", Password: Password), "email"),
        ["blank email"] = (new(Email: "  ", Name: "A", Password: Password), "email"),
        ["no @"] = (new(Email: "alice.example.com", Name: "A", Password: Password), "email"),
        ["two @"] = (new(Email: "a@b@example.com", Name: "A", Password: Password), "email"),
        ["space inside"] = (new(Email: "al ice@example.com", Name: "A", Password: Password), "email"),
        ["control character"] = (new(Email: "alice\u0001@example.com", Name: "A", Password: Password), "email"),
        ["no domain"] = (new(Email: "alice@", Name: "A", Password: Password), "email"),
        ["255 characters"] = (new(Email: new string('a', 243) + "@example.com", Name: "A", Password: Password), "email"),
        ["missing name"] = (new(Email: "v@example.com", Password: Password), "name"),
        ["blank name"] = (new(Email: "v@example.com", Name: " ", Password: Password), "name"),
        ["201-character name"] = (new(Email: "v@example.com", Name: new string('n', 201), Password: Password), "name"),
        ["name with a newline"] = (new(Email: "v@example.com", Name: "A\nB", Password: Password), "name"),
        ["given_name with a tab"] = (new(Email: "v@example.com", Name: "A", GivenName: "A\tB", Password: Password), "given_name"),
        ["short company number"] = (new(Email: "v@example.com", Name: "A", Companies: [new("1234567", "Co")], Password: Password), "companies"),
        ["company number with a dash"] = (new(Email: "v@example.com", Name: "A", Companies: [new("0123-567", "Co")], Password: Password), "companies"),
        ["company without a name"] = (new(Email: "v@example.com", Name: "A", Companies: [new("01234567", " ")], Password: Password), "companies"),
        ["company role"] = (new(Email: "v@example.com", Name: "A", Companies: [new("01234567", "Co", "ceo")], Password: Password), "companies"),
        ["company twice"] = (new(Email: "v@example.com", Name: "A", Companies: [new("01234567", "Co"), new("01234567", "Co 2")], Password: Password), "companies"),
        ["unknown role"] = (new(Email: "v@example.com", Name: "A", Role: "admin", Password: Password), "role"),
        ["upper-case team"] = (new(Email: "v@example.com", Name: "A", Teams: ["Payments"], Password: Password), "teams"),
        ["empty team"] = (new(Email: "v@example.com", Name: "A", Teams: [""], Password: Password), "teams"),
        ["65-character team"] = (new(Email: "v@example.com", Name: "A", Teams: [new string('t', 65)], Password: Password), "teams"),
        ["missing password"] = (new(Email: "v@example.com", Name: "A"), "password"),
        ["7-character password"] = (new(Email: "v@example.com", Name: "A", Password: "1234567"), "password"),
        ["1025-character password"] = (new(Email: "v@example.com", Name: "A", Password: new string('p', 1025)), "password"),
    };

    public static TheoryData<string> InvalidRegistrations => new(Invalid.Keys);

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Create_InvalidRegistration_RefusesNamingTheFieldAndWritesNothing(string what)
    {
        var (registration, field) = Invalid[what];
        var created = await Management.CreateAsync(registration, Operator, default);

        Assert.True(created.IsError, what);
        Assert.Equal("invalid_request", created.Error.Code);
        Assert.Equal(field, created.Error.Field);
        Assert.Empty(await Store.ListAsync(default));
        Assert.Empty(await Audit.ReadAsync(0, 10, default));
        if (registration.Password is { Length: > 0 } password) Assert.DoesNotContain(password, created.Error.Description);
    }

    [Fact]
    public async Task Create_EmailTakenInAnotherCase_Returns409ConflictNamingEmail()
    {
        await CreateAsync("alice@example.com");

        var second = await CreateAsync("ALICE@example.com");

        Assert.True(second.IsError);
        Assert.Equal(("conflict", 409, "email"), (second.Error.Code, second.Error.Status, second.Error.Field));
        Assert.Single(await Store.ListAsync(default));
    }

    [Fact]
    public async Task VerifyPassword_RightWrongUnknownAndDisabled_DistinguishesOnlyDisabledWithTheRightPassword()
    {
        var alice = (await CreateAsync()).Value;

        Assert.Equal(alice.Sub, (await Management.VerifyPasswordAsync("ALICE@example.com ", Password, default)).Value.Sub);
        Assert.Same(UserManagement.IncorrectCredentials, (await Management.VerifyPasswordAsync("alice@example.com", "wrong password", default)).Error);
        Assert.Same(UserManagement.IncorrectCredentials, (await Management.VerifyPasswordAsync("nobody@example.com", Password, default)).Error);

        await Management.DisableAsync(alice.Sub, Operator, default);

        Assert.Same(UserManagement.AccountDisabled, (await Management.VerifyPasswordAsync("alice@example.com", Password, default)).Error);
        Assert.Same(UserManagement.IncorrectCredentials, (await Management.VerifyPasswordAsync("alice@example.com", "wrong password", default)).Error);
        Assert.Equal("Incorrect email or password.", UserManagement.IncorrectCredentials.Description);
        Assert.Equal("This account is disabled.", UserManagement.AccountDisabled.Description);
    }

    /// SPEC 8 "in the same time": an unknown email costs one hash verification, exactly as a known one does.
    [Fact]
    public async Task VerifyPassword_UnknownEmail_VerifiesAgainstADecoyHashAsAKnownOneDoes()
    {
        await CreateAsync();
        await Management.VerifyPasswordAsync("nobody@example.com", Password, default); // the decoy hash is made once, on first use
        _hasher.Reset();

        await Management.VerifyPasswordAsync("nobody@example.com", Password, default);
        var unknown = (_hasher.Verifications, _hasher.Hashes);
        _hasher.Reset();
        await Management.VerifyPasswordAsync("alice@example.com", "wrong password", default);
        var known = (_hasher.Verifications, _hasher.Hashes);

        Assert.Equal((1, 0), unknown);
        Assert.Equal(known, unknown);
    }

    [Fact]
    public async Task VerifyPassword_HashInAnOlderFormat_SucceedsAndUpgradesTheHash()
    {
        var alice = (await CreateAsync()).Value;
        var legacy = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }));
        var oldHash = legacy.HashPassword(alice, Password);
        await Store.UpdateAsync(alice.Sub, u => u with { PasswordHash = oldHash }, new AuditEntry(DateTimeOffset.UtcNow, "test", "test", alice.Sub, null), default);

        var verified = await Management.VerifyPasswordAsync("alice@example.com", Password, default);

        Assert.False(verified.IsError);
        var newHash = (await Store.FindAsync(alice.Sub, default))!.PasswordHash;
        Assert.NotEqual(oldHash, newHash);
        Assert.Equal(0x01, Convert.FromBase64String(newHash)[0]); // Identity's V3 format marker
        Assert.False((await Management.VerifyPasswordAsync("alice@example.com", Password, default)).IsError);
    }

    [Fact]
    public async Task Changes_EachRecordTheirOwnAuditActionAndNeverThePassword()
    {
        var alice = (await CreateAsync()).Value;
        const string NewPassword = "a brand new passphrase";

        await Management.SetPasswordAsync(alice.Sub, NewPassword, Operator, default);
        await Management.DisableAsync(alice.Sub, Operator, default);
        await Management.EnableAsync(alice.Sub, Operator, default);
        await Management.UpdateAsync(alice.Sub, new UserRegistration(Name: "Alice B", Password: Password), Operator, default);
        await Management.DeleteAsync(alice.Sub, Operator, default);

        var entries = (await Audit.ReadAsync(0, 100, default)).Select(r => r.Entry).ToArray();
        Assert.Equal(["user.created", "user.password_changed", "user.disabled", "user.enabled", "user.updated", "user.deleted"],
            entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(alice.Sub, e.Target));
        Assert.All(entries, e => Assert.Equal("client:ops", e.Actor));
        var everything = string.Join("\n", entries.Select(e => e.ToString()));
        Assert.DoesNotContain(Password, everything);
        Assert.DoesNotContain(NewPassword, everything);
        Assert.DoesNotContain(alice.PasswordHash, everything);
        Assert.Equal("""{"fields":["name","password"]}""", entries[4].Details);
    }

    [Fact]
    public async Task Update_UnknownSub_Returns404AndDeleteToo()
    {
        var updated = await Management.UpdateAsync("usr_missing", new UserRegistration(Name: "Ghost"), Operator, default);
        var deleted = await Management.DeleteAsync("usr_missing", Operator, default);

        Assert.Equal(("not_found", 404), (updated.Error.Code, updated.Error.Status));
        Assert.Equal(("not_found", 404), (deleted.Error.Code, deleted.Error.Status));
        Assert.Empty(await Audit.ReadAsync(0, 10, default));
    }

    /// The real hasher, counting its calls.
    sealed class CountingHasher : IPasswordHasher<User>
    {
        readonly PasswordHasher<User> _inner = new();
        public int Hashes { get; private set; }
        public int Verifications { get; private set; }

        public void Reset() => (Hashes, Verifications) = (0, 0);

        public string HashPassword(User user, string password)
        {
            Hashes++;
            return _inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Verifications++;
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
