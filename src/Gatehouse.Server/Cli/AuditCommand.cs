using System.CommandLine;
using Gatehouse.Server.Endpoints.Audit;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Cli;

/// gatehouse audit [--after ID] [--limit N] [--json]
internal static class AuditCommand
{
    public static Command Build(Option<string?> dataDir)
    {
        var after = new Option<long>("--after") { Description = "Show entries after this id." };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (default 1000).", DefaultValueFactory = _ => 1000 };
        var json = CliOutput.JsonOption();
        var command = new Command("audit", "Print the audit log of management actions, oldest first.") { after, limit, json };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(after) < 0 || result.GetValue(limit) is < 1 or > 100_000)
                return CliOutput.Fail("--after must be >= 0 and --limit between 1 and 100000.");
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var records = await context.Get<IAuditLog>().ReadAsync(result.GetValue(after), result.GetValue(limit), ct);
            if (result.GetValue(json)) CliOutput.WriteJson(records.Select(AuditView.Of).ToArray());
            else foreach (var r in records)
                Console.WriteLine($"{r.Id,6}  {r.Entry.At:u}  {r.Entry.Actor}  {r.Entry.Action}  {r.Entry.Target}  {r.Entry.SourceAddress}  {AuditDetails.Render(AuditDetails.Parse(r.Entry.Details))}");
            return 0;
        });
        return command;
    }
}
