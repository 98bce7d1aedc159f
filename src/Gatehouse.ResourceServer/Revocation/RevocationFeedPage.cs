using System.Text.Json;

namespace Gatehouse.ResourceServer.Revocation;

/// One response of GET /oauth/revocations?since=CURSOR.
internal sealed record RevocationFeedPage(string Cursor, bool HasMore, IReadOnlyList<RevocationEntry> Entries)
{
    public static RevocationFeedPage Parse(JsonElement root)
    {
        var cursor = root.GetProperty("cursor") switch
        {
            { ValueKind: JsonValueKind.Number } number => number.GetRawText(),
            { ValueKind: JsonValueKind.String } text when !string.IsNullOrEmpty(text.GetString()) => text.GetString()!,
            _ => throw new JsonException("The revocation feed page has no cursor."),
        };
        var hasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
        var entries = new List<RevocationEntry>();
        if (root.TryGetProperty("revocations", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                switch (Text(item, "type"))
                {
                    case "token" when Text(item, "jti") is { } jti && Integer(item, "exp") is { } exp:
                        entries.Add(new RevocationEntry.Token(jti, Text(item, "client_id"), exp));
                        break;
                    case "client" when Text(item, "client_id") is { } clientId && Integer(item, "revoked_before_us") is { } before:
                        entries.Add(new RevocationEntry.Client(clientId, before));
                        break;
                    // Entry types added later are skipped, not fatal.
                }
            }
        }
        return new RevocationFeedPage(cursor, hasMore, entries);
    }

    // The contract sends integers. A fractional or out-of-range number is read as near as a long allows rather
    // than failing the page, which would stall the feed on it and lose every revocation after it.
    private static long? Integer(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number) return null;
        if (value.TryGetInt64(out var integer)) return integer;
        return value.TryGetDouble(out var real) ? (long)Math.Clamp(real, -4e18, 4e18) : null;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
