using System.CommandLine;
using System.Data.Common;
using Gatehouse.Server.Storage.Postgres;
using Gatehouse.Server.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Cli;

/// gatehouse migrate: brings the configured store's schema up to date before a deploy (the server also
/// migrates at start; running both, or several nodes at once, is safe).
internal static class MigrateCommand
{
    public static Command Build(Option<string?> dataDir)
    {
        var command = new Command("migrate", "Apply pending schema migrations to the configured store (sqlite or postgres).");
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var provider = context.Get<IOptions<GatehouseOptions>>().Value.Storage.Provider;
            try
            {
                var version = provider == StorageOptions.Postgres
                    ? await context.Get<PostgresDatabase>().MigrateAsync(ct)
                    : await SqliteVersionAsync(context.Get<SqliteDatabase>(), ct); // opening it migrates
                Console.WriteLine($"{provider}: schema version {version}");
                return 0;
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                return CliOutput.Fail($"{provider}: migration failed: {e.Message}");
            }
        });
        return command;
    }

    private static async Task<int> SqliteVersionAsync(SqliteDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return Convert.ToInt32(await database.ScalarAsync(connection, null, "PRAGMA user_version", ct));
    }
}
