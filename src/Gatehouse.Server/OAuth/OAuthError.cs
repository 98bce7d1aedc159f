namespace Gatehouse.Server.OAuth;

/// The error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 7009, RFC 7591, RFC 8707, RFC 6750 and OpenID Connect
/// Core §3.1.2.6, plus our own rate_limited.
internal static class OAuthErrorCodes
{
    public const string AccessDenied = "access_denied";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string LoginRequired = "login_required";
    public const string ConsentRequired = "consent_required";
    public const string InteractionRequired = "interaction_required";
    public const string RequestNotSupported = "request_not_supported";
    public const string RequestUriNotSupported = "request_uri_not_supported";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string InvalidRedirectUri = "invalid_redirect_uri";
    public const string InvalidClientMetadata = "invalid_client_metadata";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string RateLimited = "rate_limited";
}

/// A refusal, as a value. One place (OAuthResults) turns it into a response.
internal sealed record OAuthError(string Code, string? Description = null, int Status = 400)
{
    /// Seconds for a Retry-After header (429, 503).
    public int? RetryAfterSeconds { get; init; }

    /// RFC 6750 §3: the scope a 403 insufficient_scope names.
    public string? RequiredScope { get; init; }

    /// The request field at fault, for registration errors.
    public string? Field { get; init; }

    /// RFC 6749 §5.2: a 401 must carry the scheme the client tried.
    public bool ChallengeBasic { get; init; }

    /// RFC 6750 §3: a 401/403 from a bearer-protected resource challenges with Bearer.
    public bool ChallengeBearer { get; init; }

    public static OAuthError InvalidRequest(string description) => new(OAuthErrorCodes.InvalidRequest, description);

    public static OAuthError InvalidClient(string description = "Client authentication failed.", bool basic = false) =>
        new(OAuthErrorCodes.InvalidClient, description, 401) { ChallengeBasic = basic };

    public static OAuthError InvalidScope(string scope) =>
        new(OAuthErrorCodes.InvalidScope, $"Scope {Echo.Quoted(scope)} is not granted to this client.");

    public static OAuthError InvalidTarget(string audience) =>
        new(OAuthErrorCodes.InvalidTarget, $"This client is not provisioned for audience {Echo.Quoted(audience)}.");

    public static OAuthError UnsupportedGrantType(string grantType) =>
        new(OAuthErrorCodes.UnsupportedGrantType, $"Grant type {Echo.Quoted(grantType)} is not supported.");

    public static OAuthError UnauthorizedClient(string grantType) =>
        new(OAuthErrorCodes.UnauthorizedClient, $"This client may not use the {Echo.Quoted(grantType)} grant.");

    public static OAuthError RateLimited(int retryAfterSeconds, string description) =>
        new(OAuthErrorCodes.RateLimited, description, 429) { RetryAfterSeconds = retryAfterSeconds };

    public static OAuthError NotFound(string description) => new("not_found", description, 404);

    public static OAuthError Conflict(string description) => new("conflict", description, 409);

    public static OAuthError InvalidClientMetadata(string field, string description) =>
        new(OAuthErrorCodes.InvalidClientMetadata, description) { Field = field };

    /// A management request field that breaks a rule (users: docs/contract-notes.md "Users").
    public static OAuthError InvalidField(string field, string description) =>
        new(OAuthErrorCodes.InvalidRequest, description) { Field = field };

    /// RFC 6750 §3.1: no credentials at all — the challenge carries no error code.
    public static OAuthError Unauthenticated(string description) =>
        new("unauthorized", description, 401) { ChallengeBearer = true, ChallengeBasic = true };

    public static OAuthError InvalidToken(string description) =>
        new(OAuthErrorCodes.InvalidToken, description, 401) { ChallengeBearer = true };

    public static OAuthError InsufficientScope(string scope, string description) =>
        new(OAuthErrorCodes.InsufficientScope, description, 403) { RequiredScope = scope, ChallengeBearer = true };

    public static OAuthError InvalidGrant(string description) => new(OAuthErrorCodes.InvalidGrant, description);

    public static OAuthError TemporarilyUnavailable(int retryAfterSeconds = 5) =>
        new(OAuthErrorCodes.TemporarilyUnavailable, "The authorization server is briefly unavailable; back off and retry.", 503)
        { RetryAfterSeconds = retryAfterSeconds };
}

/// Either a value or the OAuthError that refused it.
internal readonly struct Outcome<T>
{
    private Outcome(T? value, OAuthError? error) { Value = value!; Error = error!; }

    public Outcome(T value) : this(value, null) { }

    public T Value { get; }
    public OAuthError Error { get; }
    public bool IsError => Error is not null;

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(OAuthError error) => new(default, error);
}
