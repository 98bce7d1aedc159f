using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server;

/// Everything under the "Gatehouse" configuration section; docs/configuration.md lists each key.
internal sealed class GatehouseOptions
{
    public const string Section = "Gatehouse";

    /// Fixed issuer URL. Empty: the first URL the server binds. Never taken from a request.
    public string? Issuer { get; set; }

    public string DataDirectory { get; set; } = "data";

    /// "sandbox" or "live": named in every secret so a scanner (and a confused partner) can tell them apart.
    [RegularExpression("^(sandbox|live)$", ErrorMessage = "Gatehouse:Environment must be 'sandbox' or 'live'.")]
    public string Environment { get; set; } = "sandbox";

    /// Base64 of 32 bytes. Empty: a generated root.key file (mode 0600) in the data directory.
    public string? KeyEncryptionKey { get; set; }

    [RegularExpression("^[a-z0-9_]{1,32}$", ErrorMessage = "Gatehouse:ClientIdPrefix must be 1-32 of a-z, 0-9, _.")]
    public string ClientIdPrefix { get; set; } = "cc_client_";

    /// Space-separated scope catalogue.
    public string Scopes { get; set; } = string.Join(' ', DefaultScopes);

    /// Space-separated audiences a client may be provisioned for.
    public string Audiences { get; set; } = "partner/v1 internal/v1 public/v1";

    public string DefaultAudience { get; set; } = "partner/v1";

    public string ServiceDocumentation { get; set; } = "https://github.com/gatehouse/gatehouse#readme";

    public TokenOptions Tokens { get; set; } = new();
    public RateLimitOptions RateLimits { get; set; } = new();
    public KeyOptions Keys { get; set; } = new();
    public SyncOptions Sync { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public RedisOptions Redis { get; set; } = new();
    public SignInOptions SignIn { get; set; } = new();

    /// Seed 002's scope catalogue, the OIDC scopes, and the operator scopes of the management API.
    public static readonly string[] DefaultScopes =
    [
        "applications:write", "applications:read", "decisions:read", "payments:write", "payments:read",
        "identity:read", "accounts:read", "accounts:write", "webhooks:manage", "partner:manage",
        "openid", "profile", "email", "companies", "offline_access", OAuth.ManagementScopes.Clients, OAuth.ManagementScopes.Users,
    ];

    /// Scopes a new client does not get unless asked for: sign-in scopes and the operator scopes.
    public static readonly string[] NotGrantedByDefault = ["openid", "profile", "email", "companies", "offline_access", .. OAuth.ManagementScopes.All];

    /// Where sign-in access tokens go unless the request names a provisioned audience (SPEC 8).
    public const string PublicAudience = "public/v1";

    public IReadOnlyList<string> ScopeList => Split(Scopes);
    public IReadOnlyList<string> AudienceList => Split(Audiences);

    internal static string[] Split(string value) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class TokenOptions
{
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class RateLimitOptions
{
    /// Seed 002: "the 10 req/s limit on the token endpoint". Per client; a client's own limit wins.
    public int TokenRequestsPerSecond { get; set; } = 10;

    /// Per network (IPv4 address, IPv6 /64), before further authentication attempts from it get 429.
    public int FailedAuthenticationsPerMinute { get; set; } = 20;

    /// Per claimed client_id, from anywhere, before networks that have failed get 429 for it. Unset: as per network.
    public int? FailedAuthenticationsPerClientPerMinute { get; set; }

    /// Per client and per node (docs/hardening.md item 10).
    public int IntrospectionsPerSecond { get; set; } = 1000;
    public int RevocationsPerSecond { get; set; } = 100;
    public int FeedReadsPerSecond { get; set; } = 20;

    /// A client changing its own secrets or revoking its own tokens (an operator is not limited).
    public int SelfServiceChangesPerMinute { get; set; } = 30;
}

internal sealed class KeyOptions
{
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// A new key sits in the JWKS this long before it signs, so every verifier has fetched it first.
    public TimeSpan PrePublish { get; set; } = TimeSpan.FromDays(1);

    /// Allowance for clock differences when deciding a retired key can leave the JWKS.
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

internal sealed class SyncOptions
{
    /// How often a node looks for changes other processes (the CLI, other nodes) wrote.
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// When the store has been unreachable this long, this node's view may be missing a revocation made
    /// elsewhere: the token and introspection endpoints answer 503 instead of serving it.
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class RedisOptions
{
    /// StackExchange.Redis configuration string (e.g. "127.0.0.1:6379"). Empty: no Redis; rate limits are
    /// per node and other nodes see changes by polling the store.
    public string? Configuration { get; set; }
}

internal sealed class StorageOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public string Provider { get; set; } = Sqlite;

    /// Npgsql connection string, required for postgres. Unless it says otherwise: Timeout=3, Command Timeout=5.
    public string? ConnectionString { get; set; }
}

internal sealed class SignInOptions
{
    /// How long a sign-in session lasts before the person signs in again.
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// SPEC 8: codes are single-use and short-lived.
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// SPEC 8: a refresh token unused this long dies; a grant lives at most the absolute lifetime.
    public TimeSpan RefreshTokenIdleLifetime { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(90);

    /// SPEC 8: failed sign-ins tolerated per account and per address within the window.
    public int FailuresPerAccount { get; set; } = 5;
    public int FailuresPerAddress { get; set; } = 20;
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}
