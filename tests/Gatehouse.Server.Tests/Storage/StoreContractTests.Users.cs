using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Tests.Storage;

/// The user store's part of the contract (SPEC 8 "People"), on both engines.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task User_CreateFindListUpdate_RoundTripsEveryField()
    {
        var user = NewUser("usr_1", "Alice@Example.com") with
        {
            GivenName = "Alice",
            FamilyName = "Archer",
            Companies = [new Company("01234567", "Acme Lending Ltd", CompanyRoles.Director), new Company("SC123456", "Scot Co", CompanyRoles.Signatory)],
            Role = UserRoles.Developer,
            Teams = ["payments", "risk-team"],
        };

        Assert.Equal(UserWrite.Done, await Users.CreateAsync(user, AuditOf(AuditActions.UserCreated, user.Sub), default));
        var found = await Users.FindAsync(user.Sub, default);

        Assert.NotNull(found);
        AssertSameUser(user, found);
        Assert.Null(found.UpdatedAt);
        AssertSameUser(user, (await Users.FindByEmailAsync("alice@example.com", default))!);
        AssertSameUser(user, (await Users.FindByEmailAsync("  ALICE@EXAMPLE.COM ", default))!);
        Assert.Null(await Users.FindByEmailAsync("bob@example.com", default));
        Assert.Null(await Users.FindAsync("usr_missing", default));
        Assert.Equal([user.Sub], (await Users.ListAsync(default)).Select(u => u.Sub));

        var (result, updated) = await Users.UpdateAsync(user.Sub, u => u with
        {
            Email = "alice@new.example", Name = "Alice B", GivenName = null, Companies = [], Role = null, Teams = [],
            Disabled = true, EmailVerified = false, PasswordHash = "new-hash", UpdatedAt = Now.AddMinutes(1),
            Sub = "usr_hijack", CreatedAt = Now.AddYears(-1), // neither may change
        }, AuditOf(AuditActions.UserUpdated, user.Sub), default);

        Assert.Equal(UserWrite.Done, result);
        Assert.NotNull(updated);
        Assert.Equal(user.Sub, updated.Sub);
        Assert.Equal(Now, updated.CreatedAt);
        Assert.Equal(Now.AddMinutes(1), updated.UpdatedAt);
        Assert.Equal("alice@new.example", updated.Email);
        Assert.Null(updated.GivenName);
        Assert.Empty(updated.Companies);
        Assert.Null(updated.Role);
        Assert.Empty(updated.Teams);
        Assert.True(updated.Disabled);
        Assert.False(updated.EmailVerified);
        Assert.Equal("new-hash", updated.PasswordHash);
        AssertSameUser(updated, (await Users.FindByEmailAsync("ALICE@new.example", default))!);
        Assert.Null(await Users.FindByEmailAsync("alice@example.com", default));
        Assert.Null(await Users.FindAsync("usr_hijack", default));
        Assert.Equal(UserWrite.NotFound, (await Users.UpdateAsync("usr_missing", u => u, AuditOf(AuditActions.UserUpdated, "x"), default)).Result);

        Assert.Equal([AuditActions.UserCreated, AuditActions.UserUpdated], (await Audit.ReadAsync(0, 100, default)).Select(r => r.Entry.Action));
    }

    [Fact]
    public async Task User_TenConcurrentCreatesForOneEmailInDifferentCases_CreatesExactlyOne()
    {
        var results = await AllAtOnceAsync(10, i =>
            Users.CreateAsync(NewUser($"usr_{i}", i % 2 == 0 ? "race@example.com" : "RACE@example.COM"), AuditOf(AuditActions.UserCreated, $"usr_{i}"), default));

        Assert.Equal(1, results.Count(r => r == UserWrite.Done));
        Assert.Equal(9, results.Count(r => r == UserWrite.EmailTaken));
        Assert.Single(await Users.ListAsync(default));
        Assert.Single(await Audit.ReadAsync(0, 100, default)); // a refused create leaves no audit entry
    }

    [Fact]
    public async Task User_Delete_RetiresTheSubForGood()
    {
        var user = NewUser("usr_doomed", "doomed@example.com");
        await Users.CreateAsync(user, AuditOf(AuditActions.UserCreated, user.Sub), default);

        Assert.True(await Users.DeleteAsync(user.Sub, AuditOf(AuditActions.UserDeleted, user.Sub), default));

        Assert.Null(await Users.FindAsync(user.Sub, default));
        Assert.Null(await Users.FindByEmailAsync(user.Email, default));
        Assert.Empty(await Users.ListAsync(default));
        Assert.False(await Users.DeleteAsync(user.Sub, AuditOf(AuditActions.UserDeleted, user.Sub), default));
        // The sub is never given out again, even for the same person; the email is free again.
        Assert.Equal(UserWrite.SubTaken, await Users.CreateAsync(user, AuditOf(AuditActions.UserCreated, user.Sub), default));
        Assert.Equal(UserWrite.SubTaken, await Users.CreateAsync(NewUser(user.Sub, "other@example.com"), AuditOf(AuditActions.UserCreated, user.Sub), default));
        Assert.Equal(UserWrite.Done, await Users.CreateAsync(NewUser("usr_new", user.Email), AuditOf(AuditActions.UserCreated, "usr_new"), default));
        // A live sub is taken too.
        Assert.Equal(UserWrite.SubTaken, await Users.CreateAsync(NewUser("usr_new", "third@example.com"), AuditOf(AuditActions.UserCreated, "usr_new"), default));
        Assert.Equal([AuditActions.UserCreated, AuditActions.UserDeleted, AuditActions.UserCreated],
            (await Audit.ReadAsync(0, 100, default)).Select(r => r.Entry.Action));
    }

    [Fact]
    public async Task User_UpdateToAnotherUsersEmail_ReturnsEmailTakenAndChangesNothing()
    {
        await Users.CreateAsync(NewUser("usr_a", "a@example.com"), AuditOf(AuditActions.UserCreated, "usr_a"), default);
        await Users.CreateAsync(NewUser("usr_b", "b@example.com"), AuditOf(AuditActions.UserCreated, "usr_b"), default);

        var (result, user) = await Users.UpdateAsync("usr_b", u => u with { Email = "A@EXAMPLE.COM", Name = "Changed" },
            AuditOf(AuditActions.UserUpdated, "usr_b"), default);

        Assert.Equal(UserWrite.EmailTaken, result);
        Assert.Null(user);
        var b = await Users.FindAsync("usr_b", default);
        Assert.Equal("b@example.com", b!.Email);
        Assert.Equal("Person", b.Name);
        Assert.Equal(2, (await Audit.ReadAsync(0, 100, default)).Count);
    }

    /// Each update reads and writes under one lock: ten concurrent changes to one user all survive.
    [Fact]
    public async Task User_TenConcurrentUpdates_LoseNoChange()
    {
        await Users.CreateAsync(NewUser("usr_busy", "busy@example.com"), AuditOf(AuditActions.UserCreated, "usr_busy"), default);

        var results = await AllAtOnceAsync(10, i =>
            Users.UpdateAsync("usr_busy", u => u with { Teams = [.. u.Teams, $"team-{i}"] }, AuditOf(AuditActions.UserUpdated, "usr_busy"), default));

        Assert.All(results, r => Assert.Equal(UserWrite.Done, r.Result));
        var teams = (await Users.FindAsync("usr_busy", default))!.Teams;
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"team-{i}").Order(), teams.Order());
    }

    [Fact]
    public async Task User_ReplacePasswordHash_OnlyWhileTheHashIsUnchanged()
    {
        await Users.CreateAsync(NewUser("usr_p", "p@example.com"), AuditOf(AuditActions.UserCreated, "usr_p"), default);

        Assert.False(await Users.ReplacePasswordHashAsync("usr_p", "not-the-hash", "rehashed", default));
        Assert.True(await Users.ReplacePasswordHashAsync("usr_p", "hash-of-usr_p", "rehashed", default));
        Assert.False(await Users.ReplacePasswordHashAsync("usr_missing", "hash-of-usr_p", "rehashed", default));

        Assert.Equal("rehashed", (await Users.FindAsync("usr_p", default))!.PasswordHash);
        Assert.Single(await Audit.ReadAsync(0, 100, default)); // a rehash is not a management action
    }

    private static readonly Company[] NoCompanies = [];
    private static readonly string[] NoTeams = [];

    private static User NewUser(string sub, string email) =>
        new(sub, email, EmailVerified: true, "Person", null, null, [], null, [], Disabled: false, Now, null) { PasswordHash = "hash-of-" + sub };

    private static void AssertSameUser(User expected, User actual)
    {
        // Records compare lists by reference: compare them apart, and the rest with one shared empty list each.
        Assert.Equal(expected with { Companies = NoCompanies, Teams = NoTeams }, actual with { Companies = NoCompanies, Teams = NoTeams });
        Assert.Equal(expected.Companies, actual.Companies);
        Assert.Equal(expected.Teams, actual.Teams);
        Assert.Equal(expected.PasswordHash, actual.PasswordHash);
    }
}
