using System.Security.Cryptography;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Clients;

/// The authenticated caller: the client and which of its secrets it used.
/// SecretId is null for a public client, which has no secret (RFC 6749 §2.1).
internal readonly record struct AuthenticatedClient(Client Client, string? SecretId);

/// Authenticates a client at the token, introspection and revocation endpoints, from memory only.
internal sealed class ClientAuthenticator(
    ClientRegistry registry,
    SecretHasher hasher,
    FailedAuthenticationThrottle throttle,
    SecretUsageRecorder usage,
    IOptions<GatehouseOptions> options)
{
    private readonly string _environment = options.Value.Environment;
    private static readonly byte[] DecoyHash = RandomNumberGenerator.GetBytes(SecretHasher.HashSize);

    /// `allowPublic`: the token and revocation endpoints also serve public clients, which send client_id alone.
    public Outcome<AuthenticatedClient> Authenticate(HttpRequest request, IFormCollection form, bool allowPublic = false)
    {
        var address = request.HttpContext.Connection.RemoteIpAddress;
        var credentials = ClientCredentials.Read(request, form);
        if (credentials.IsError)
        {
            if (credentials.Error.Status != 401) return credentials.Error;
            return throttle.IsRefused(address, null, out var wait) ? Throttled(wait) : Failed(address, null, credentials.Error);
        }
        var (clientId, secret, viaBasic) = credentials.Value;
        // Before anything presented is evaluated: a throttled caller learns nothing, not even that it guessed right.
        if (throttle.IsRefused(address, clientId, out var retryAfter)) return Throttled(retryAfter);
        if (secret is null)
        {
            if (allowPublic && registry.TryGet(clientId, out var publicClient) && publicClient.IsPublic)
                return new AuthenticatedClient(publicClient, null);
            return Failed(address, clientId, OAuthError.InvalidClient(
                "Client authentication is required: client_id and client_secret, in the body or with HTTP Basic.", basic: true));
        }

        // Seed 002: "Check you're not mixing sandbox and live" — say it when the secret itself tells us.
        var secretEnvironment = SecretFormat.EnvironmentOf(secret);
        if (secretEnvironment is not null && secretEnvironment != _environment)
        {
            return Failed(address, clientId, OAuthError.InvalidClient(
                $"This is a {secretEnvironment} secret but this is the {_environment} environment. Check you're not mixing sandbox and live.",
                viaBasic));
        }

        Span<byte> presented = stackalloc byte[SecretHasher.HashSize];
        hasher.Hash(secret, presented);
        var match = Verify(clientId, presented, out var client);
        if (match is null) return Failed(address, clientId, OAuthError.InvalidClient("Unknown client or wrong client secret.", viaBasic));
        // RFC 7591 §2: a client registered for one method uses that one (a proxy must not see the secret where it expects none).
        if (client!.AuthMethodExplicit && (viaBasic ? ClientAuthMethods.SecretBasic : ClientAuthMethods.SecretPost) != client.TokenEndpointAuthMethod)
            return OAuthError.InvalidClient($"This client is registered for {client.TokenEndpointAuthMethod}.", viaBasic);
        usage.Record(clientId, match.SecretId);
        return new AuthenticatedClient(client!, match.SecretId);
    }

    private OAuthError Failed(System.Net.IPAddress? address, string? clientId, OAuthError error)
    {
        throttle.RecordFailure(address, clientId);
        return error;
    }

    private static OAuthError Throttled(int retryAfterSeconds) =>
        OAuthError.RateLimited(retryAfterSeconds, "Too many failed client authentications from this network or for this client; retry later.");

    /// Same work whether or not the client exists: always two constant-time comparisons.
    private ClientSecret? Verify(string clientId, ReadOnlySpan<byte> presented, out Client? client)
    {
        registry.TryGet(clientId, out client);
        ClientSecret? match = null;
        var compared = 0;
        if (client is not null)
        {
            foreach (var secret in client.Secrets)
            {
                if (secret.RevokedAt is not null) continue;
                compared++;
                if (CryptographicOperations.FixedTimeEquals(secret.Hash, presented)) match = secret;
            }
        }
        for (; compared < 2; compared++) CryptographicOperations.FixedTimeEquals(DecoyHash, presented);
        return match;
    }
}
