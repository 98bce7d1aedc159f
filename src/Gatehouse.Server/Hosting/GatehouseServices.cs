using Gatehouse.Server.Clients;
using Gatehouse.Server.Endpoints.Discovery;
using Gatehouse.Server.Endpoints.Token;
using Gatehouse.Server.RateLimiting;
using Gatehouse.Server.Scaling;
using Gatehouse.Server.Security;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Storage.Postgres;
using Gatehouse.Server.Storage.Relational;
using Gatehouse.Server.Storage.Sqlite;
using Gatehouse.Server.Tokens;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

internal static class GatehouseServices
{
    /// What both the server and the CLI need: options, keys, storage, clients, users.
    public static IServiceCollection AddGatehouseCore(this IServiceCollection services)
    {
        services.AddOptions<GatehouseOptions>()
            .BindConfiguration(GatehouseOptions.Section)
            .ValidateDataAnnotations()
            // Data annotations do not reach nested sections; these are checked here instead.
            .Validate(o => o.RateLimits.TokenRequestsPerSecond is >= 1 and <= 10_000_000,
                "Gatehouse:RateLimits:TokenRequestsPerSecond must be between 1 and 10000000.")
            .Validate(o => o.RateLimits.FailedAuthenticationsPerMinute is >= 1 and <= 10_000_000,
                "Gatehouse:RateLimits:FailedAuthenticationsPerMinute must be between 1 and 10000000.")
            .Validate(o => o.RateLimits.IntrospectionsPerSecond is >= 1 and <= 10_000_000 && o.RateLimits.RevocationsPerSecond is >= 1 and <= 10_000_000 &&
                           o.RateLimits.FeedReadsPerSecond is >= 1 and <= 10_000_000 && o.RateLimits.SelfServiceChangesPerMinute is >= 1 and <= 10_000_000,
                "Gatehouse:RateLimits:IntrospectionsPerSecond, RevocationsPerSecond, FeedReadsPerSecond and SelfServiceChangesPerMinute must be between 1 and 10000000.")
            .Validate(o => o.RateLimits.FailedAuthenticationsPerClientPerMinute is null or (>= 1 and <= 10_000_000),
                "Gatehouse:RateLimits:FailedAuthenticationsPerClientPerMinute must be between 1 and 10000000.")
            .Validate(o => o.Sync.MaxStaleness >= TimeSpan.FromSeconds(1), "Gatehouse:Sync:MaxStaleness must be at least 1 second.")
            .Validate(o => o.AudienceList.Contains(o.DefaultAudience), "Gatehouse:DefaultAudience must be one of Gatehouse:Audiences.")
            .Validate(o => o.Tokens.AccessTokenLifetime >= TimeSpan.FromSeconds(1) && o.Tokens.AccessTokenLifetime <= TimeSpan.FromDays(1),
                "Gatehouse:Tokens:AccessTokenLifetime must be between 1 second and 1 day.")
            .Validate(o => o.Keys.PrePublish >= TimeSpan.Zero && o.Keys.RotationInterval > o.Keys.PrePublish,
                "Gatehouse:Keys:RotationInterval must be longer than Gatehouse:Keys:PrePublish, which must not be negative.")
            .Validate(o => o.Sync.PollInterval >= TimeSpan.FromMilliseconds(10) && o.Sync.PollInterval <= TimeSpan.FromSeconds(1),
                "Gatehouse:Sync:PollInterval must be between 10 ms and 1 s.")
            // (ValidateDataAnnotations does not look into nested options, so the provider is checked here.)
            .Validate(o => o.Storage.Provider is StorageOptions.Sqlite or StorageOptions.Postgres,
                "Gatehouse:Storage:Provider must be 'sqlite' or 'postgres'.")
            .Validate(o => o.Storage.Provider != StorageOptions.Postgres || !string.IsNullOrWhiteSpace(o.Storage.ConnectionString),
                "Gatehouse:Storage:ConnectionString is required when Gatehouse:Storage:Provider is 'postgres'.")
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => RootKey.Load(sp.GetRequiredService<IOptions<GatehouseOptions>>().Value));
        services.AddSingleton<KeyEncryption>();
        services.AddSingleton<SecretHasher>();

        services.AddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<GatehouseOptions>>().Value.DataDirectory));
        services.AddSingleton(sp => new PostgresDatabase(sp.GetRequiredService<IOptions<GatehouseOptions>>().Value.Storage.ConnectionString!));
        // One set of stores over whichever engine is configured; the engines differ only in RelationalDatabase.
        services.AddSingleton<RelationalDatabase>(sp =>
            sp.GetRequiredService<IOptions<GatehouseOptions>>().Value.Storage.Provider == StorageOptions.Postgres
                ? sp.GetRequiredService<PostgresDatabase>()
                : sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<IClientStore, RelationalClientStore>();
        services.AddSingleton<ISigningKeyStore, RelationalSigningKeyStore>();
        services.AddSingleton<IRevocationStore, RelationalRevocationStore>();
        services.AddSingleton<IChangeFeed, RelationalChangeFeed>();
        services.AddSingleton<IAuditLog, RelationalAuditLog>();
        services.AddSingleton<ITokenUsageStore, RelationalTokenUsageStore>();
        services.AddSingleton<IGrantStore, RelationalGrantStore>();
        services.AddSingleton<ISessionStore, RelationalSessionStore>();
        services.AddSingleton<ISignInFailureStore, RelationalSignInFailureStore>();
        services.AddSingleton<RevocationList>();
        services.AddSingleton<TokenRevocation>();
        services.AddSingleton<IUserStore, RelationalUserStore>();

        services.AddSingleton<SigningKeyService>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IChangeSignal>(sp => HasRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisChangeSignal>(sp)
            : new PollingOnlyChangeSignal());
        services.AddSingleton<MintClock>();
        services.AddSingleton<ClientManagement>();
        // PBKDF2 with the library's current defaults; hashes in an older format are upgraded at sign-in.
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<UserManagement>();
        return services;
    }

    /// The serving side: in-memory views, the hot path, background loops.
    public static IServiceCollection AddGatehouseServer(this IServiceCollection services)
    {
        services.AddGatehouseCore();
        services.AddSingleton<IssuerUrl>();
        services.AddSingleton<ClientRegistry>();
        services.AddSingleton<StoreSync>();
        services.AddSingleton<IClientViewRefresher>(sp => sp.GetRequiredService<StoreSync>());
        services.AddSingleton<SecretUsageRecorder>();
        services.AddSingleton<FailedAuthenticationThrottle>();
        services.AddSingleton<ClientRequestLimiter>();
        services.AddSingleton<TokenRateLimiter>();
        services.AddSingleton<ITokenRateLimiter>(sp => HasRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisTokenRateLimiter>(sp)
            : sp.GetRequiredService<TokenRateLimiter>());
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<ClientCredentialsGrant>();
        services.AddSingleton<AuthorizationCodeGrant>();
        services.AddSingleton<RefreshTokenGrant>();
        services.AddSingleton<PersonGrants>();
        services.AddSingleton<TokenGrantHandlers>();
        services.AddSingleton<Endpoints.Authorize.AuthorizationRequestReader>();
        services.AddSingleton<Endpoints.Authorize.AuthorizationRequestProtector>();
        services.AddSingleton<Endpoints.Authorize.AuthorizationResponses>();
        services.AddSingleton<Endpoints.Authorize.AuthorizationFlow>();
        services.AddSingleton<Endpoints.Cors.PublicClientOrigins>();
        services.AddSingleton<Sessions.SignInSessions>();
        services.AddSingleton<Sessions.SignInThrottle>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<DiscoveryDocuments>();
        services.AddSingleton<Endpoints.Clients.ManagementAccess>();
        services.AddHostedService<ChangeFeedFollower>();
        services.AddHostedService<Housekeeping>();
        services.AddSingleton<Dashboard.TokenUsageCounter>();
        services.AddSingleton<Dashboard.DashboardUsage>();
        services.AddHostedService<Dashboard.TokenUsageFlusher>();
        services.AddSingleton<Dashboard.DashboardClient>();
        services.AddSingleton<Dashboard.DashboardSignIn>();
        services.AddSingleton<Dashboard.DashboardAccess>();
        return services;
    }

    /// The implementation Gatehouse:Storage:Provider names (only that provider's database is ever opened).
    private static bool HasRedis(IServiceProvider services) =>
        !string.IsNullOrWhiteSpace(services.GetRequiredService<IOptions<GatehouseOptions>>().Value.Redis.Configuration);
}
