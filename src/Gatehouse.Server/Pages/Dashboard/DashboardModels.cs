using Gatehouse.Server.Pages.Shared;

namespace Gatehouse.Server.Pages.Dashboard;

// Public only because Razor components are public classes and their parameters must be as visible.

/// Who is signed in, for the dashboard's top bar, with the sign-out form.
public sealed record DashboardViewer(string Email, string Role, IReadOnlyList<string> Teams, PageForm Form);

/// One row of the client list.
public sealed record ClientRow(string ClientId, string Name, string? Team, string Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastTokenAt);

/// A client's settings as the client page shows them (never a secret's value or hash).
public sealed record ClientDetail(
    string ClientId, string Name, string? Team, IReadOnlyList<string> Scopes, IReadOnlyList<string> Audiences, IReadOnlyList<string> GrantTypes,
    string AuthMethod, string RateLimit, IReadOnlyList<string> RedirectUris, DateTimeOffset CreatedAt, DateTimeOffset? TokensRevokedBefore,
    bool IsPublic);

/// One secret of a client: its id and times, never its value.
public sealed record SecretRow(string SecretId, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// One audit entry as the audit page shows it.
public sealed record AuditRow(long Id, DateTimeOffset At, string Actor, string Action, string Target, string? Details);

/// The usage chart of a client: per-minute counts over the last 24 hours, oldest first.
public sealed record UsageSeries(DateTimeOffset Start, IReadOnlyList<int> Issued, IReadOnlyList<int> RateLimited, IReadOnlyList<int> Failed)
{
    public int TotalIssued => Issued.Sum();
    public int TotalRateLimited => RateLimited.Sum();
    public int TotalFailed => Failed.Sum();
    public string Summary => $"{TotalIssued} issued, {TotalRateLimited} rate-limited, {TotalFailed} failed";

    /// The same counts over the last `minutes` only (the chart's close-up).
    public UsageSeries Last(int minutes)
    {
        var skip = Math.Max(0, Issued.Count - minutes);
        return new UsageSeries(Start.AddMinutes(skip), Issued.Skip(skip).ToArray(), RateLimited.Skip(skip).ToArray(), Failed.Skip(skip).ToArray());
    }
}

internal static class DashboardText
{
    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string Minute(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "never";

    public static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "never";
}
