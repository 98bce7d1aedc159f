using System.CommandLine;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Cli;

/// gatehouse keys list|rotate|revoke
internal static class KeyCommands
{
    public static Command Build(Option<string?> dataDir)
    {
        var keys = new Command("keys", "Inspect, rotate and revoke signing keys.");
        keys.Subcommands.Add(List(dataDir));
        keys.Subcommands.Add(Rotate(dataDir));
        keys.Subcommands.Add(Revoke(dataDir));
        return keys;
    }

    private static Command List(Option<string?> dataDir)
    {
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List signing keys and their state.") { json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var service = context.Get<SigningKeyService>();
            await service.ReloadAsync(ct);
            var rows = service.All.OrderBy(k => k.ActivatesAt).Select(k => new
            {
                kid = k.Kid,
                alg = k.Algorithm,
                status = Status(service.Current, k, context.Get<TimeProvider>().GetUtcNow()),
                created_at = k.CreatedAt,
                activates_at = k.ActivatesAt,
                revoked_at = k.RevokedAt,
            }).ToArray();
            if (result.GetValue(json)) CliOutput.WriteJson(rows);
            else foreach (var r in rows) Console.WriteLine($"{r.kid}  {r.alg}  {r.status,-8}  activates {r.activates_at:u}");
            return 0;
        });
        return command;
    }

    private static Command Rotate(Option<string?> dataDir)
    {
        var alg = new Option<string[]>("--alg") { Description = "Which algorithm's key to rotate (ES256, the default, or RS256; repeatable)." };
        alg.AcceptOnlyFromAmong(SigningAlgorithms.All);
        var json = CliOutput.JsonOption();
        var command = new Command("rotate", "Publish new signing keys now; they sign after the pre-publication period.") { alg, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var service = context.Get<SigningKeyService>();
            // ES256 signs every access token, so it is what "rotate the key" means unless told otherwise.
            var algorithms = result.GetValue(alg) is { Length: > 0 } chosen ? chosen.Distinct() : [SigningAlgorithms.ES256];
            var created = await service.RotateAsync(algorithms, Actor.Cli(), ct);
            var rows = created.Select(k => new { kid = k.Kid, alg = k.Algorithm, activates_at = k.ActivatesAt }).ToArray();
            if (result.GetValue(json)) CliOutput.WriteJson(rows.Length == 1 ? rows[0] : rows);
            else foreach (var r in rows) Console.WriteLine($"{r.kid}  {r.alg}  signs from {r.activates_at:u}");
            return 0;
        });
        return command;
    }

    private static Command Revoke(Option<string?> dataDir)
    {
        var kid = new Argument<string>("kid") { Description = "The key id to revoke." };
        var command = new Command("revoke", "Revoke a compromised key: it leaves the JWKS and its tokens stop verifying.") { kid };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var service = context.Get<SigningKeyService>();
            await service.ReloadAsync(ct);
            if (!await service.RevokeAsync(result.GetValue(kid)!, Actor.Cli(), ct))
                return CliOutput.Fail($"No unrevoked key '{result.GetValue(kid)}'.");
            Console.WriteLine($"Revoked {result.GetValue(kid)}.");
            return 0;
        });
        return command;
    }

    private static string Status(KeyRing ring, SigningKey key, DateTimeOffset now)
    {
        if (key.RevokedAt is not null) return "revoked";
        if (ring.SignerFor(key.Algorithm) == key) return "active";
        if (ring.FindVerificationKey(key.Kid) is null) return "expired";
        return key.ActivatesAt > now ? "pending" : "retired";
    }
}
