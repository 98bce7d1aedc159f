using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.OAuth;

/// Which request bodies we read. Forms (RFC 6749 Appendix B) and JSON (RFC 8259 §8.1) are UTF-8; a
/// charset parameter may say so (ASCII is a subset) and nothing else, so a body is never decoded one way
/// here and another way by a proxy in front.
internal static class MediaTypes
{
    public const string Form = "application/x-www-form-urlencoded";

    public static readonly OAuthError UnsupportedCharset =
        OAuthError.InvalidRequest("The request body must be UTF-8: send no charset parameter, or charset=utf-8.");

    /// Null when `contentType` is one of `accepted` in UTF-8; otherwise the refusal, `wrongType` for another or a malformed type.
    public static OAuthError? Check(string? contentType, OAuthError wrongType, params ReadOnlySpan<string> accepted)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media) || !IsOneOf(media.MediaType.Value, accepted))
            return wrongType;
        var charset = media.Charset;
        if (!charset.HasValue) return null;
        var name = HeaderUtilities.RemoveQuotes(charset).Value;
        return name is not null && (name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            ? null
            : UnsupportedCharset;
    }

    private static bool IsOneOf(string? mediaType, ReadOnlySpan<string> accepted)
    {
        foreach (var type in accepted)
            if (string.Equals(mediaType, type, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
