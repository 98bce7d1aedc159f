using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Clients;

/// What an operator asks for when registering a client (CLI now, the management API later).
internal sealed record ClientRegistration(string? Name, string? Scope, IReadOnlyList<string>? Audiences, int? RateLimitPerSecond);

/// A new client and its first secret; the secret's value exists only here, to be shown once.
internal sealed record CreatedClient(Client Client, string Secret);

/// Validates a registration against the catalogue (RFC 7591 §3.2.2 invalid_client_metadata, naming
/// the field) and creates the client with its first secret.
internal sealed class ClientProvisioning(IClientStore store, SecretHasher hasher, TimeProvider clock, IOptions<GatehouseOptions> options)
{
    public const string InvalidClientMetadata = "invalid_client_metadata";
    private readonly GatehouseOptions _options = options.Value;

    public async Task<Outcome<CreatedClient>> CreateAsync(ClientRegistration registration, CancellationToken ct)
    {
        var name = registration.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(char.IsControl))
            return Invalid("name", "name is required: 1 to 200 printable characters.");

        string[] scopes;
        if (registration.Scope is null)
            scopes = _options.ScopeList.Except(GatehouseOptions.NotGrantedByDefault).ToArray();
        else
        {
            scopes = GatehouseOptions.Split(registration.Scope).Distinct(StringComparer.Ordinal).ToArray();
            var unknown = scopes.FirstOrDefault(s => !_options.ScopeList.Contains(s));
            if (unknown is not null) return Invalid("scope", $"scope '{unknown}' is not in the scope catalogue.");
        }

        var audiences = registration.Audiences is { Count: > 0 } asked
            ? asked.Distinct(StringComparer.Ordinal).ToArray()
            : [_options.DefaultAudience];
        var unknownAudience = audiences.FirstOrDefault(a => !_options.AudienceList.Contains(a));
        if (unknownAudience is not null) return Invalid("audience", $"audience '{unknownAudience}' is not one this server issues for.");

        if (registration.RateLimitPerSecond is < 1 or > 10_000_000)
            return Invalid("rate_limit", "rate_limit must be between 1 and 10000000 requests per second.");

        var now = clock.GetUtcNow();
        var secret = SecretFormat.NewSecret(_options.Environment);
        var client = new Client(
            SecretFormat.NewClientId(_options.ClientIdPrefix), name, scopes, audiences,
            [GrantTypes.ClientCredentials], registration.RateLimitPerSecond, now,
            [new ClientSecret(SecretFormat.NewSecretId(), hasher.Hash(secret), now, null, null)]);
        await store.CreateAsync(client, ct);
        return new CreatedClient(client, secret);
    }

    private static OAuthError Invalid(string field, string description) => new(InvalidClientMetadata, description) { Field = field };
}
