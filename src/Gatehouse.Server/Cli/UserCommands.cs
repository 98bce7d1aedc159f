using System.CommandLine;
using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Cli;

/// gatehouse users create|list|show|delete|disable|enable|set-password (SPEC 11). Passwords come from standard
/// input only (--password-stdin), never from an argument, where they would land in shell history and `ps`.
internal static class UserCommands
{
    public static Command Build(Option<string?> dataDir)
    {
        var users = new Command("users", "Create, inspect, disable and delete the people who sign in.");
        users.Subcommands.Add(Create(dataDir));
        users.Subcommands.Add(List(dataDir));
        users.Subcommands.Add(Show(dataDir));
        users.Subcommands.Add(Delete(dataDir));
        users.Subcommands.Add(SetDisabled(dataDir, disabled: true));
        users.Subcommands.Add(SetDisabled(dataDir, disabled: false));
        users.Subcommands.Add(SetPassword(dataDir));
        return users;
    }

    private static Command Create(Option<string?> dataDir)
    {
        var email = new Option<string>("--email") { Description = "The address they sign in with (unique, any case).", Required = true };
        var name = new Option<string>("--name") { Description = "Their full name.", Required = true };
        var givenName = new Option<string?>("--given-name") { Description = "Given name." };
        var familyName = new Option<string?>("--family-name") { Description = "Family name." };
        var company = new Option<string[]>("--company")
        {
            Description = "A company they act for, NUMBER:NAME[:director|signatory] (repeatable; role director by default).",
        };
        var role = new Option<string?>("--role") { Description = "Dashboard role: operator or developer." };
        var team = new Option<string[]>("--team") { Description = "A dashboard team (repeatable)." };
        var unverified = new Option<bool>("--email-unverified") { Description = "Record the email as not verified (default: verified)." };
        var passwordStdin = PasswordStdinOption();
        var json = CliOutput.JsonOption();
        var command = new Command("create", "Create a user; the password is read from standard input.")
        {
            email, name, givenName, familyName, company, role, team, unverified, passwordStdin, json,
        };
        command.SetAction(async (result, ct) =>
        {
            var companies = new List<CompanyRegistration>();
            foreach (var value in result.GetValue(company) ?? [])
            {
                if (ParseCompany(value) is not { } parsed)
                    return CliOutput.Fail($"--company '{value}' must be NUMBER:NAME or NUMBER:NAME:director|signatory.");
                companies.Add(parsed);
            }
            var password = await ReadPasswordAsync(result.GetValue(passwordStdin), ct);
            if (password.Error is { } error) return CliOutput.Fail(error);

            await using var context = CliContext.Create(result.GetValue(dataDir));
            var registration = new UserRegistration(
                Email: result.GetValue(email), EmailVerified: !result.GetValue(unverified), Name: result.GetValue(name),
                GivenName: result.GetValue(givenName), FamilyName: result.GetValue(familyName), Companies: companies,
                Role: result.GetValue(role), Teams: result.GetValue(team) ?? [], Password: password.Value);
            var created = await context.Get<UserManagement>().CreateAsync(registration, Actor.Cli(), ct);
            if (created.IsError) return CliOutput.Fail(created.Error.Description ?? created.Error.Code);
            if (result.GetValue(json)) CliOutput.WriteJson(UserView.Of(created.Value));
            else Console.WriteLine($"Created {created.Value.Sub} ({created.Value.Email}).");
            return 0;
        });
        return command;
    }

    private static Command List(Option<string?> dataDir)
    {
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List users.") { json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var all = await context.Get<IUserStore>().ListAsync(ct);
            if (result.GetValue(json)) CliOutput.WriteJson(all.Select(UserView.Of).ToArray());
            else foreach (var u in all)
                Console.WriteLine($"{u.Sub}  {u.Email}  {u.Name}  {u.Role ?? "-"}{(u.Disabled ? "  disabled" : "")}");
            return 0;
        });
        return command;
    }

    private static Command Show(Option<string?> dataDir)
    {
        var sub = SubArgument();
        var json = CliOutput.JsonOption();
        var command = new Command("show", "Show one user.") { sub, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var user = await context.Get<IUserStore>().FindAsync(result.GetValue(sub)!, ct);
            if (user is null) return CliOutput.Fail($"No user '{result.GetValue(sub)}'.");
            if (result.GetValue(json)) CliOutput.WriteJson(UserView.Of(user));
            else Console.WriteLine(JsonSerializer.Serialize(UserView.Of(user), new JsonSerializerOptions(CliContext.Json) { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    private static Command Delete(Option<string?> dataDir)
    {
        var sub = SubArgument();
        var json = CliOutput.JsonOption();
        var command = new Command("delete", "Delete a user; their sub is never given to anyone else.") { sub, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var deleted = await context.Get<UserManagement>().DeleteAsync(result.GetValue(sub)!, Actor.Cli(), ct);
            if (deleted.IsError) return CliOutput.Fail(deleted.Error.Description!);
            if (result.GetValue(json)) CliOutput.WriteJson(new { sub = result.GetValue(sub), deleted = true });
            else Console.WriteLine($"Deleted {result.GetValue(sub)}.");
            return 0;
        });
        return command;
    }

    private static Command SetDisabled(Option<string?> dataDir, bool disabled)
    {
        var sub = SubArgument();
        var json = CliOutput.JsonOption();
        var command = disabled
            ? new Command("disable", "Stop a user from signing in (their data stays).") { sub, json }
            : new Command("enable", "Let a disabled user sign in again.") { sub, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var users = context.Get<UserManagement>();
            var changed = disabled
                ? await users.DisableAsync(result.GetValue(sub)!, Actor.Cli(), ct)
                : await users.EnableAsync(result.GetValue(sub)!, Actor.Cli(), ct);
            if (changed.IsError) return CliOutput.Fail(changed.Error.Description!);
            if (result.GetValue(json)) CliOutput.WriteJson(UserView.Of(changed.Value));
            else Console.WriteLine($"{(disabled ? "Disabled" : "Enabled")} {changed.Value.Sub}.");
            return 0;
        });
        return command;
    }

    private static Command SetPassword(Option<string?> dataDir)
    {
        var sub = SubArgument();
        var passwordStdin = PasswordStdinOption();
        var json = CliOutput.JsonOption();
        var command = new Command("set-password", "Set a user's password, read from standard input.") { sub, passwordStdin, json };
        command.SetAction(async (result, ct) =>
        {
            var password = await ReadPasswordAsync(result.GetValue(passwordStdin), ct);
            if (password.Error is { } error) return CliOutput.Fail(error);
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var changed = await context.Get<UserManagement>().SetPasswordAsync(result.GetValue(sub)!, password.Value!, Actor.Cli(), ct);
            if (changed.IsError) return CliOutput.Fail(changed.Error.Description!);
            if (result.GetValue(json)) CliOutput.WriteJson(UserView.Of(changed.Value));
            else Console.WriteLine($"Changed the password of {changed.Value.Sub}.");
            return 0;
        });
        return command;
    }

    /// NUMBER:NAME[:ROLE]. A name may hold colons: a last part that is one lower-case word is the role (checked,
    /// like every company rule, by UserManagement), anything else belongs to the name.
    internal static CompanyRegistration? ParseCompany(string value)
    {
        var colon = value.IndexOf(':');
        if (colon <= 0 || colon == value.Length - 1) return null;
        var number = value[..colon];
        var rest = value[(colon + 1)..];
        var last = rest.LastIndexOf(':');
        if (last > 0 && rest[(last + 1)..] is { Length: > 0 } role && role.All(char.IsAsciiLetterLower))
            return new CompanyRegistration(number, rest[..last], role);
        return new CompanyRegistration(number, rest);
    }

    /// The whole of standard input, less exactly one trailing newline (\n or \r\n): `echo pw |` and a file
    /// ending in a newline both give the password itself; any other whitespace is part of it.
    private static async Task<(string? Value, string? Error)> ReadPasswordAsync(bool fromStdin, CancellationToken ct)
    {
        if (!fromStdin)
            return (null, "--password-stdin is required: pipe the password on standard input (it is never taken as an argument).");
        var text = await Console.In.ReadToEndAsync(ct);
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) text = text[..^2];
        else if (text.EndsWith('\n')) text = text[..^1];
        return text.Length == 0 ? (null, "No password on standard input.") : (text, null);
    }

    private static Option<bool> PasswordStdinOption() => new("--password-stdin") { Description = "Read the password from standard input." };

    private static Argument<string> SubArgument() => new("sub") { Description = "The user's sub (usr_…)." };
}
