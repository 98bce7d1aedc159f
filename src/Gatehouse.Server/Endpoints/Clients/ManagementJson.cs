using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Endpoints.Clients;

/// JSON in and out for the management API: snake_case, no-store, and registration bodies parsed
/// field by field so each mistake is named.
internal static class ManagementJson
{
    public const int MaxBodyBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Ok(HttpContext context, object body, int status = StatusCodes.Status200OK)
    {
        OAuthResults.SetNoStore(context.Response);
        return Results.Json(body, Options, statusCode: status);
    }

    public static IResult NoContent(HttpContext context)
    {
        OAuthResults.SetNoStore(context.Response);
        return Results.NoContent();
    }

    public static object View(Client c, bool withSecrets, SecretUsageRecorder? usage = null) => new Dictionary<string, object?>
    {
        ["client_id"] = c.ClientId,
        ["name"] = c.Name,
        ["scope"] = c.ScopeString,
        ["audiences"] = c.Audiences,
        ["grant_types"] = c.GrantTypes,
        ["redirect_uris"] = c.RedirectUris,
        ["token_endpoint_auth_method"] = c.TokenEndpointAuthMethod,
        ["rate_limit"] = c.RateLimitPerSecond,
        ["post_logout_redirect_uris"] = c.PostLogoutRedirectUris,
        ["require_consent"] = c.RequireConsent,
        ["id_token_signed_response_alg"] = c.IdTokenSignedResponseAlg,
        ["team"] = c.Team,
        ["resource_server"] = c.ResourceServer,
        ["created_at"] = c.CreatedAt,
        ["updated_at"] = c.UpdatedAt,
        ["tokens_revoked_before"] = c.TokensRevokedBeforeMicroseconds is { } us ? DateTimeOffset.UnixEpoch.AddTicks(us * 10) : null,
        ["secrets"] = withSecrets ? c.Secrets.Select(s => SecretView(c, s, usage)).ToArray() : null,
    }.Where(kv => kv.Key != "secrets" || withSecrets).ToDictionary();

    public static object SecretView(Client client, ClientSecret s, SecretUsageRecorder? usage) => new Dictionary<string, object?>
    {
        ["secret_id"] = s.SecretId,
        ["created_at"] = s.CreatedAt,
        ["last_used_at"] = Latest(s.LastUsedAt, usage?.PendingLastUsed(s.SecretId)),
        ["revoked_at"] = s.RevokedAt,
    };

    private static DateTimeOffset? Latest(DateTimeOffset? stored, DateTimeOffset? pending) =>
        pending is { } p && (stored is null || p > stored) ? p : stored;

    /// Reads a JSON object body; a registration (create) or a merge patch (RFC 7396) of one.
    public static Task<Outcome<ClientRegistration>> ReadRegistrationAsync(HttpRequest request, CancellationToken ct) =>
        ReadObjectAsync(request, ParseRegistration, ct);

    /// Reads a bounded application/json (or merge-patch+json) body that must be one JSON object, and parses it.
    public static async Task<Outcome<T>> ReadObjectAsync<T>(HttpRequest request, Func<JsonElement, Outcome<T>> parse, CancellationToken ct)
    {
        if (MediaTypes.Check(request.ContentType, NotJson, "application/json", "application/merge-patch+json") is { } refused) return refused;
        if (request.ContentLength > MaxBodyBytes) return OAuthError.InvalidRequest($"The request body is larger than {MaxBodyBytes} bytes.");
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes; // also for chunked bodies, which carry no Content-Length
        JsonDocument document;
        try { document = await JsonDocument.ParseAsync(request.Body, default, ct); }
        catch (JsonException e) { return OAuthError.InvalidRequest($"The body is not valid JSON: {e.Message}"); }
        catch (BadHttpRequestException) { return OAuthError.InvalidRequest($"The request body is larger than {MaxBodyBytes} bytes."); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return OAuthError.InvalidRequest("The body must be a JSON object.");
            try { return parse(document.RootElement); }
            // GetString on invalid UTF-8 or a lone surrogate.
            catch (InvalidOperationException) { return OAuthError.InvalidRequest("The body holds a string that is not valid UTF-8 text."); }
        }
    }

    private static Outcome<ClientRegistration> ParseRegistration(JsonElement root)
    {
        var registration = new ClientRegistration();
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name" or "client_name":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("name", "a string");
                    registration = registration with { Name = value.GetString() };
                    break;
                case "scope":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("scope", "a space-separated string");
                    registration = registration with { Scope = value.GetString() };
                    break;
                case "audiences" or "audience":
                    var audiences = StringArray(value);
                    if (audiences is null) return WrongType("audiences", "an array of strings");
                    registration = registration with { Audiences = audiences };
                    break;
                case "grant_types":
                    var grants = StringArray(value);
                    if (grants is null) return WrongType("grant_types", "an array of strings");
                    registration = registration with { GrantTypes = grants };
                    break;
                case "redirect_uris":
                    var uris = StringArray(value);
                    if (uris is null) return WrongType("redirect_uris", "an array of strings");
                    registration = registration with { RedirectUris = uris };
                    break;
                case "token_endpoint_auth_method":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("token_endpoint_auth_method", "a string");
                    registration = registration with { TokenEndpointAuthMethod = value.GetString() };
                    break;
                case "rate_limit":
                    if (value.ValueKind == JsonValueKind.Null) registration = registration with { ClearRateLimit = true };
                    else if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var limit))
                        registration = registration with { RateLimitPerSecond = limit };
                    else return WrongType("rate_limit", "an integer or null");
                    break;
                case "post_logout_redirect_uris":
                    var logoutUris = StringArray(value);
                    if (logoutUris is null) return WrongType("post_logout_redirect_uris", "an array of strings");
                    registration = registration with { PostLogoutRedirectUris = logoutUris };
                    break;
                case "require_consent":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return WrongType("require_consent", "true or false");
                    registration = registration with { RequireConsent = value.GetBoolean() };
                    break;
                case "id_token_signed_response_alg":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("id_token_signed_response_alg", "a string");
                    registration = registration with { IdTokenSignedResponseAlg = value.GetString() };
                    break;
                case "team":
                    if (value.ValueKind == JsonValueKind.Null) registration = registration with { ClearTeam = true };
                    else if (value.ValueKind == JsonValueKind.String) registration = registration with { Team = value.GetString() };
                    else return WrongType("team", "a string or null");
                    break;
                case "resource_server":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return WrongType("resource_server", "true or false");
                    registration = registration with { ResourceServer = value.GetBoolean() };
                    break;
                default:
                    return OAuthError.InvalidClientMetadata(property.Name, $"Unknown field {Echo.Quoted(property.Name)}.");
            }
        }
        return registration;
    }

    /// An array of strings, or null when the value is anything else.
    public static string[]? StringArray(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) return null;
        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) return null;
            items.Add(item.GetString()!);
        }
        return items.ToArray();
    }

    private static readonly OAuthError NotJson = OAuthError.InvalidRequest("The request body must be application/json.");

    private static OAuthError WrongType(string field, string expected) =>
        OAuthError.InvalidClientMetadata(field, $"{field} must be {expected}.");
}
