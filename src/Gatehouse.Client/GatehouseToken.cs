namespace Gatehouse.Client;

/// <summary>An access token and when it stops being usable. <see cref="ToString"/> never reveals the token.</summary>
public sealed class GatehouseToken
{
    internal GatehouseToken(string accessToken, string? scope, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        AccessToken = accessToken;
        Scope = scope;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
        RefreshAt = RefreshPoint(issuedAt, expiresAt);
        UsableUntil = expiresAt - TimeSpan.FromTicks(Math.Min(ExpiryMargin.Ticks, (expiresAt - issuedAt).Ticks / 10));
    }

    private static readonly TimeSpan RefreshLead = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    /// <summary>The bearer token to send in <c>Authorization: Bearer …</c>.</summary>
    public string AccessToken { get; }

    /// <summary>The scopes the server granted, space-separated, when it said.</summary>
    public string? Scope { get; }

    /// <summary>When the token expires, by this machine's clock (<c>expires_in</c> from the moment it was received).</summary>
    public DateTimeOffset ExpiresAt { get; }

    internal DateTimeOffset IssuedAt { get; }

    /// Seed 002: refresh at 90% of the lifetime, and at least 60 s before exp; a lifetime too short
    /// for that refreshes at half-life so a token is still used at least once.
    internal DateTimeOffset RefreshAt { get; }

    /// A token this close to exp could expire in flight; callers wait for a new one instead.
    internal DateTimeOffset UsableUntil { get; }

    internal static DateTimeOffset RefreshPoint(DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var lifetime = expiresAt - issuedAt;
        var at = Min(issuedAt + lifetime * 0.9, expiresAt - RefreshLead);
        return at > issuedAt ? at : issuedAt + lifetime / 2;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>A description without the token value, safe to log.</summary>
    public override string ToString() => $"GatehouseToken(scope: {Scope ?? "-"}, expires: {ExpiresAt:O})";
}
