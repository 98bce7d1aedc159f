using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.OAuth;

/// Reads the body of a token, introspection or revocation request (RFC 6749 §3.2): form-encoded only,
/// bounded in size, and no parameter more than once.
internal static class OAuthForm
{
    public const int MaxBodyBytes = 16 * 1024;

    public static async Task<Outcome<IFormCollection>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (MediaTypes.Check(request.ContentType, NotAForm, MediaTypes.Form) is { } refused) return refused;
        if (request.ContentLength > MaxBodyBytes)
            return OAuthError.InvalidRequest($"The request body is larger than {MaxBodyBytes} bytes.");
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            return OAuthError.InvalidRequest("The request body is not a valid form of at most 16 KiB.");
        }
        foreach (var (name, values) in form)
        {
            if (values.Count > 1) return OAuthError.InvalidRequest($"Parameter '{name}' is repeated.");
        }
        return new Outcome<IFormCollection>(form);
    }

    /// The single value of a parameter, or null when absent or empty (RFC 6749 §3.1: empty = omitted).
    public static string? Value(this IFormCollection form, string name) =>
        form.TryGetValue(name, out StringValues value) && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    private static readonly OAuthError NotAForm = OAuthError.InvalidRequest("The request body must be application/x-www-form-urlencoded.");
}
