using Gatehouse.Server.OAuth;
using Gatehouse.Server.Scaling;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Clients;

/// Every change to clients and their secrets, for the management API and the CLI alike: validates,
/// writes (with its audit entry), and makes the change visible to this process at once.
internal sealed class ClientManagement(
    IClientStore store,
    SecretHasher hasher,
    TimeProvider clock,
    IOptions<GatehouseOptions> options,
    IChangeSignal signal,
    TokenRevocation revocation,
    IEnumerable<IClientViewRefresher> refreshers)
{
    /// Seed 002: two live secrets per client, enough to roll one while the other serves.
    public const int MaxLiveSecrets = 2;

    private readonly GatehouseOptions _options = options.Value;

    public async Task<Outcome<CreatedClient>> CreateAsync(ClientRegistration registration, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(registration.Name))
            return OAuthError.InvalidClientMetadata("name", "name is required: 1 to 200 printable characters.");
        var now = clock.GetUtcNow();
        var draft = new Client(SecretFormat.NewClientId(_options.ClientIdPrefix), "", [], [_options.DefaultAudience],
            [GrantTypes.ClientCredentials], null, now, [])
        {
            Scopes = _options.ScopeList.Except(GatehouseOptions.NotGrantedByDefault).ToArray(),
        };
        var validated = ClientRegistrationRules.Apply(draft, registration, _options);
        if (validated.IsError) return validated.Error;

        var client = validated.Value;
        string? secret = null;
        if (client.TokenEndpointAuthMethod != ClientAuthMethods.None)
        {
            secret = SecretFormat.NewSecret(_options.Environment);
            client = client with { Secrets = [NewSecret(secret, now)] };
        }
        await store.CreateAsync(client, Audit(actor, AuditActions.ClientCreated, client.ClientId, Describe(client)), ct);
        await RefreshAsync(client.ClientId, ct);
        return new CreatedClient(client, secret);
    }

    public async Task<Outcome<Client>> UpdateAsync(string clientId, ClientRegistration changes, Actor actor, CancellationToken ct)
    {
        var current = await store.FindAsync(clientId, ct);
        if (current is null) return NoSuchClient(clientId);
        var validated = ClientRegistrationRules.Apply(current, changes, _options);
        if (validated.IsError) return validated.Error;
        if (!await store.UpdateAsync(validated.Value, Audit(actor, AuditActions.ClientUpdated, clientId, Describe(validated.Value)), ct))
            return NoSuchClient(clientId);
        await RefreshAsync(clientId, ct);
        return (await store.FindAsync(clientId, ct))!;
    }

    public async Task<Outcome<bool>> DeleteAsync(string clientId, Actor actor, CancellationToken ct)
    {
        // Every token of a deleted client is void, including any a lagging node mints before it hears of the deletion.
        var everything = NewCutOff() with { RevokedBeforeMicroseconds = long.MaxValue };
        if (!await store.DeleteAsync(clientId, everything, Audit(actor, AuditActions.ClientDeleted, clientId), ct)) return NoSuchClient(clientId);
        await RefreshAsync(clientId, ct);
        return true;
    }

    public async Task<Outcome<CreatedSecret>> AddSecretAsync(string clientId, Actor actor, CancellationToken ct)
    {
        var client = await store.FindAsync(clientId, ct);
        if (client is null) return NoSuchClient(clientId);
        if (client.TokenEndpointAuthMethod == ClientAuthMethods.None)
            return OAuthError.InvalidRequest("This is a public client (token_endpoint_auth_method none); it has no secrets.");
        var value = SecretFormat.NewSecret(_options.Environment);
        var secret = NewSecret(value, clock.GetUtcNow());
        var result = await store.AddSecretAsync(clientId, secret, MaxLiveSecrets,
            Audit(actor, AuditActions.SecretAdded, clientId, AuditDetails.Of(("secret_id", secret.SecretId))), ct);
        switch (result)
        {
            case AddSecretResult.ClientNotFound: return NoSuchClient(clientId);
            case AddSecretResult.TooManyLiveSecrets:
                return OAuthError.Conflict($"The client already has {MaxLiveSecrets} live secrets; revoke one before adding another.");
        }
        await RefreshAsync(clientId, ct);
        return new CreatedSecret(secret, value);
    }

    /// Instant: once this returns, this process mints nothing with the secret (seed 002); tokens already
    /// minted with it stay valid until they expire.
    public async Task<Outcome<bool>> RevokeSecretAsync(string clientId, string secretId, Actor actor, CancellationToken ct)
    {
        // Stop accepting the secret here before recording the time, so no token this node mints after
        // revoked_at used it (only requests already past authentication can still finish).
        await ApplyLocallyAsync(clientId, secretId, revoked: true, ct);
        bool revoked;
        try
        {
            revoked = await store.RevokeSecretAsync(clientId, secretId, clock.GetUtcNow(),
                Audit(actor, AuditActions.SecretRevoked, clientId, AuditDetails.Of(("secret_id", secretId))), ct);
        }
        catch
        {
            // Not recorded: the secret is live as far as every other node knows, so it must be here too.
            await ApplyLocallyAsync(clientId, secretId, revoked: false, CancellationToken.None);
            throw;
        }
        await RefreshAsync(clientId, ct);
        return revoked ? true : OAuthError.NotFound($"Client {Echo.Quoted(clientId)} has no live secret {Echo.Quoted(secretId)}.");
    }

    private async Task ApplyLocallyAsync(string clientId, string secretId, bool revoked, CancellationToken ct)
    {
        var at = clock.GetUtcNow();
        foreach (var refresher in refreshers)
            await refresher.ApplyLocallyAsync(clientId, client => client with
            {
                Secrets = client.Secrets.Select(s => s.SecretId != secretId ? s : s with { RevokedAt = revoked ? s.RevokedAt ?? at : null }).ToArray(),
            }, ct);
    }

    /// Every token the client was issued before this moment becomes inactive (SPEC 5). Returns the cut-off.
    public async Task<Outcome<long>> RevokeAllTokensAsync(string clientId, Actor actor, CancellationToken ct)
    {
        var cutOff = NewCutOff();
        if (!await store.RevokeAllTokensAsync(clientId, cutOff.RevokedBeforeMicroseconds, cutOff.FeedExpiresAt,
                Audit(actor, AuditActions.TokensRevoked, clientId, AuditDetails.Of(("revoked_before_us", cutOff.RevokedBeforeMicroseconds))), ct))
            return NoSuchClient(clientId);
        await RefreshAsync(clientId, ct);
        // The cut-off covers access tokens; a sign-in client's refresh tokens would mint new ones after it.
        await revocation.RevokeGrantsOfClientAsync(clientId, ct);
        return cutOff.RevokedBeforeMicroseconds;
    }

    private FeedCutOff NewCutOff() => revocation.CutOffNow();

    private ClientSecret NewSecret(string value, DateTimeOffset now) => new(SecretFormat.NewSecretId(), hasher.Hash(value), now, null, null);

    private async Task RefreshAsync(string clientId, CancellationToken ct)
    {
        foreach (var refresher in refreshers) await refresher.RefreshClientAsync(clientId, ct);
        await signal.PublishAsync();
    }

    private AuditEntry Audit(Actor actor, string action, string target, string? details = null) =>
        new(clock.GetUtcNow(), actor.Name, action, target, actor.SourceAddress, details);

    private static string Describe(Client c) => AuditDetails.Of(
        ("name", c.Name), ("scope", c.ScopeString), ("audiences", c.Audiences), ("grant_types", c.GrantTypes),
        ("redirect_uris", c.RedirectUris), ("token_endpoint_auth_method", c.TokenEndpointAuthMethod), ("rate_limit", c.RateLimitPerSecond),
        ("post_logout_redirect_uris", c.PostLogoutRedirectUris), ("require_consent", c.RequireConsent),
        ("id_token_signed_response_alg", c.IdTokenSignedResponseAlg), ("team", c.Team), ("resource_server", c.ResourceServer));

    private static OAuthError NoSuchClient(string clientId) => OAuthError.NotFound($"No client {Echo.Quoted(clientId)}.");
}

/// Lets the serving process update its in-memory view the moment its own write commits.
internal interface IClientViewRefresher
{
    Task RefreshClientAsync(string clientId, CancellationToken ct);

    /// Changes this process's view of a client ahead of the store write that makes it durable.
    Task ApplyLocallyAsync(string clientId, Func<Client, Client> change, CancellationToken ct);
}
