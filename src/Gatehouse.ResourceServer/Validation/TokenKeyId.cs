using System.Buffers.Text;
using System.Text.Json;

namespace Gatehouse.ResourceServer.Validation;

/// Reads the <c>kid</c> from a compact JWS header (RFC 7515 §4.1.4) without parsing the rest of the token,
/// so an unknown key can be fetched before validation instead of failing it.
internal static class TokenKeyId
{
    private const int MaxHeaderChars = 1024;

    public static string? Read(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || dot > MaxHeaderChars) return null;
        Span<byte> header = stackalloc byte[MaxHeaderChars];
        if (Base64Url.DecodeFromChars(token.AsSpan(0, dot), header, out _, out var written) != System.Buffers.OperationStatus.Done)
            return null;
        try
        {
            var reader = new Utf8JsonReader(header[..written]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKid = reader.ValueTextEquals("kid"u8);
                if (!reader.Read()) return null;
                if (isKid) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not a JWT header; validation reports it.
        }
        return null;
    }
}
