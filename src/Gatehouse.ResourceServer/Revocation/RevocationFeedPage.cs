using System.Text.Json;

namespace Gatehouse.ResourceServer.Revocation;

/// One response of GET /oauth/revocations?since=CURSOR.
internal sealed record RevocationFeedPage(string Cursor, bool HasMore, IReadOnlyList<RevocationEntry> Entries)
{
    public static RevocationFeedPage Parse(JsonElement root)
    {
        var cursor = root.GetProperty("cursor") is { ValueKind: JsonValueKind.Number } n ? n.GetRawText() : root.GetProperty("cursor").GetString()!;
        var hasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
        var entries = new List<RevocationEntry>();
        if (root.TryGetProperty("revocations", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                switch (Text(item, "type"))
                {
                    case "token" when Text(item, "jti") is { } jti && item.TryGetProperty("exp", out var exp):
                        entries.Add(new RevocationEntry.Token(jti, Text(item, "client_id"), exp.GetInt64()));
                        break;
                    case "client" when Text(item, "client_id") is { } clientId && item.TryGetProperty("revoked_before_us", out var before):
                        entries.Add(new RevocationEntry.Client(clientId, before.GetInt64()));
                        break;
                    // Entry types added later are skipped, not fatal.
                }
            }
        }
        return new RevocationFeedPage(cursor, hasMore, entries);
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
