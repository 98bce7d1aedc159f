using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.ResourceServer.Diagnostics;
using Gatehouse.ResourceServer.Validation;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.ResourceServer.Introspection;

/// Validates a token by asking the authority (RFC 7662) instead of checking a signature: works for opaque
/// tokens and reflects revocation at once. Answers are reused for IntrospectionCacheDuration, keyed by the
/// token's SHA-256 so the cache holds no usable token.
internal sealed class IntrospectionTokenHandler(GatehouseScheme scheme) : TokenHandler
{
    private const int MaxCachedAnswers = 10_000;
    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = scheme.Time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now < cached.Until)
        {
            scheme.Metrics.Introspection("cache");
            return cached.Result;
        }
        scheme.Metrics.Introspection("server");
        var configuration = await scheme.Metadata.GetConfigurationAsync(CancellationToken.None);
        var (answer, cacheUntil) = await IntrospectAsync(configuration.IntrospectionEndpoint, token, now);
        if (cacheUntil is { } until)
        {
            if (_cache.Count >= MaxCachedAnswers) _cache.Clear(); // crude bound; answers are seconds-lived anyway
            _cache[key] = (answer, until);
        }
        return answer;
    }

    private async Task<(TokenValidationResult, DateTimeOffset?)> IntrospectAsync(string? endpoint, string token, DateTimeOffset now)
    {
        var options = scheme.Options;
        if (string.IsNullOrEmpty(endpoint)) return (Unavailable("the metadata has no introspection_endpoint"), null);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
                WebUtility.UrlEncode(options.ClientId) + ":" + WebUtility.UrlEncode(options.ClientSecret))));
            using var response = await scheme.Backchannel.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                ResourceServerLog.IntrospectionFailed(scheme.Logger, endpoint, "HTTP " + (int)response.StatusCode);
                return (Unavailable("HTTP " + (int)response.StatusCode, response.Headers.RetryAfter?.Delta), null);
            }
            using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            return Interpret(document.RootElement, now);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            ResourceServerLog.IntrospectionFailed(scheme.Logger, endpoint, e.GetType().Name);
            return (Unavailable(e.GetType().Name), null);
        }
    }

    private (TokenValidationResult, DateTimeOffset?) Interpret(JsonElement root, DateTimeOffset now)
    {
        var options = scheme.Options;
        var shortCache = now + options.IntrospectionCacheDuration;
        if (!root.TryGetProperty("active", out var active) || active.ValueKind != JsonValueKind.True)
            return (Invalid(new TokenInactiveException()), shortCache);

        var expiresAt = Number(root, "exp") is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : now + options.IntrospectionCacheDuration;
        var issuedAt = Number(root, "iat") is { } iat ? DateTimeOffset.FromUnixTimeSeconds(iat) : now;
        var audiences = Audiences(root);
        if (!audiences.Contains(options.Audience))
            return (Invalid(new SecurityTokenInvalidAudienceException("The token is not for this API.") { InvalidAudience = string.Join(' ', audiences) }), shortCache);
        var issuer = Text(root, "iss");
        if (issuer is not null && issuer.TrimEnd('/') != options.NormalizedAuthority)
            return (Invalid(new SecurityTokenInvalidIssuerException("The token was not issued by the expected authority.")), shortCache);

        var claims = new List<Claim>();
        foreach (var name in (string[])["sub", "client_id", "scope", "jti", "iss"])
            if (Text(root, name) is { } value) claims.Add(new Claim(name, value));
        claims.AddRange(audiences.Select(a => new Claim("aud", a)));
        var identity = new ClaimsIdentity(claims, scheme.Name, "sub", "role");
        var validated = new IntrospectedToken(Text(root, "jti"), issuer, Text(root, "client_id"), issuedAt, expiresAt);
        var until = expiresAt < shortCache ? expiresAt : shortCache;
        return (new TokenValidationResult { IsValid = true, ClaimsIdentity = identity, SecurityToken = validated }, until);
    }

    private static TokenValidationResult Invalid(Exception exception) => new() { IsValid = false, Exception = exception };

    private static TokenValidationResult Unavailable(string reason, TimeSpan? retryAfter = null) =>
        Invalid(new IntrospectionUnavailableException(reason, retryAfter));

    private static List<string> Audiences(JsonElement root) => root.TryGetProperty("aud", out var aud)
        ? aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList(),
            _ => [],
        }
        : [];

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : null;
}

/// RFC 7662 answered active: false — expired, revoked, or never ours.
internal sealed class TokenInactiveException() : SecurityTokenException("The token is not active.");

/// The authority could not be asked; the API answers 503, never a verdict on the token.
internal sealed class IntrospectionUnavailableException(string reason, TimeSpan? retryAfter)
    : SecurityTokenException("The authorization server could not be reached to validate the token: " + reason)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
