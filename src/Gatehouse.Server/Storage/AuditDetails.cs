using System.Text.Json;

namespace Gatehouse.Server.Storage;

/// An audit entry's details: one JSON object, each value data (docs/hardening.md item 7). Never free text
/// joined from client-supplied names, where a name like "x; scope=clients:manage" reads as a second field.
internal static class AuditDetails
{
    public static string Of(params ReadOnlySpan<(string Name, object? Value)> fields)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                json.WritePropertyName(name);
                switch (value)
                {
                    case null: json.WriteNullValue(); break;
                    case string text: json.WriteStringValue(text); break;
                    case bool flag: json.WriteBooleanValue(flag); break;
                    case int number: json.WriteNumberValue(number); break;
                    case long number: json.WriteNumberValue(number); break;
                    case DateTimeOffset time: json.WriteStringValue(time); break;
                    case IEnumerable<string> items:
                        json.WriteStartArray();
                        foreach (var item in items) json.WriteStringValue(item);
                        json.WriteEndArray();
                        break;
                    default: throw new ArgumentException($"Audit detail '{name}' has an unsupported type {value.GetType().Name}.");
                }
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// The stored details as a JSON object: {} when there are none; an entry written before details were
    /// structured keeps its text, as {"text": "..."}.
    public static JsonElement Parse(string? stored)
    {
        if (string.IsNullOrEmpty(stored)) return Empty;
        try
        {
            using var document = JsonDocument.Parse(stored);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
        }
        catch (JsonException) { }
        return JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["text"] = stored });
    }

    /// For a terminal: compact JSON with everything but printable ASCII escaped, so no detail can break the
    /// line, fake a column or carry a control sequence.
    public static string Render(JsonElement details) =>
        JsonSerializer.Serialize(details, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });

    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();
}
