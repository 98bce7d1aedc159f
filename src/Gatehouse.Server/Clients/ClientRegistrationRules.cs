using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Clients;

/// RFC 7591 §2 metadata rules: each refusal names the field (invalid_client_metadata, invalid_redirect_uri).
internal static class ClientRegistrationRules
{
    public static Outcome<Client> Apply(Client client, ClientRegistration changes, GatehouseOptions options)
    {
        if (changes.Name is not null)
        {
            var name = changes.Name.Trim();
            if (name.Length is 0 or > 200 || name.Any(char.IsControl))
                return OAuthError.InvalidClientMetadata("name", "name must be 1 to 200 printable characters.");
            client = client with { Name = name };
        }
        if (changes.Scope is not null)
        {
            var scopes = GatehouseOptions.Split(changes.Scope).Distinct(StringComparer.Ordinal).ToArray();
            var unknown = scopes.FirstOrDefault(s => !options.ScopeList.Contains(s));
            if (unknown is not null) return OAuthError.InvalidClientMetadata("scope", $"scope {Echo.Quoted(unknown)} is not in the scope catalogue.");
            client = client with { Scopes = scopes };
        }
        if (changes.Audiences is not null)
        {
            var audiences = changes.Audiences.Distinct(StringComparer.Ordinal).ToArray();
            if (audiences.Length == 0) return OAuthError.InvalidClientMetadata("audiences", "audiences must name at least one audience.");
            var unknown = audiences.FirstOrDefault(a => !options.AudienceList.Contains(a));
            if (unknown is not null) return OAuthError.InvalidClientMetadata("audiences", $"audience {Echo.Quoted(unknown)} is not one this server issues for.");
            client = client with { Audiences = audiences };
        }
        if (changes.GrantTypes is not null)
        {
            var grants = changes.GrantTypes.Distinct(StringComparer.Ordinal).ToArray();
            if (grants.Length == 0) return OAuthError.InvalidClientMetadata("grant_types", "grant_types must name at least one grant type.");
            var unknown = grants.FirstOrDefault(g => !GrantTypes.All.Contains(g));
            if (unknown is not null) return OAuthError.InvalidClientMetadata("grant_types", $"grant type {Echo.Quoted(unknown)} is not supported.");
            client = client with { GrantTypes = grants };
        }
        if (changes.RedirectUris is not null)
        {
            foreach (var uri in changes.RedirectUris)
            {
                if (RedirectUriProblem(uri) is { } problem)
                    return new OAuthError("invalid_redirect_uri", $"redirect_uris: {Echo.Quoted(uri)} {problem}") { Field = "redirect_uris" };
            }
            client = client with { RedirectUris = changes.RedirectUris.Distinct(StringComparer.Ordinal).ToArray() };
        }
        if (changes.TokenEndpointAuthMethod is not null)
        {
            if (!ClientAuthMethods.All.Contains(changes.TokenEndpointAuthMethod))
                return OAuthError.InvalidClientMetadata("token_endpoint_auth_method",
                    $"token_endpoint_auth_method must be one of: {string.Join(", ", ClientAuthMethods.All)}.");
            if (client.TokenEndpointAuthMethod != changes.TokenEndpointAuthMethod &&
                (client.TokenEndpointAuthMethod == ClientAuthMethods.None || changes.TokenEndpointAuthMethod == ClientAuthMethods.None) &&
                client.Secrets.Count > 0)
                return OAuthError.InvalidClientMetadata("token_endpoint_auth_method", "A confidential client cannot become public, nor the reverse.");
            client = client with { TokenEndpointAuthMethod = changes.TokenEndpointAuthMethod, AuthMethodExplicit = true };
        }
        if (changes.PostLogoutRedirectUris is not null)
        {
            foreach (var uri in changes.PostLogoutRedirectUris)
            {
                if (RedirectUriProblem(uri) is { } problem)
                    return new OAuthError("invalid_redirect_uri", $"post_logout_redirect_uris: {Echo.Quoted(uri)} {problem}") { Field = "post_logout_redirect_uris" };
            }
            client = client with { PostLogoutRedirectUris = changes.PostLogoutRedirectUris.Distinct(StringComparer.Ordinal).ToArray() };
        }
        if (changes.RequireConsent is { } requireConsent) client = client with { RequireConsent = requireConsent };
        if (changes.IdTokenSignedResponseAlg is not null)
        {
            if (!Tokens.SigningAlgorithms.All.Contains(changes.IdTokenSignedResponseAlg))
                return OAuthError.InvalidClientMetadata("id_token_signed_response_alg", "id_token_signed_response_alg must be ES256 or RS256.");
            client = client with { IdTokenSignedResponseAlg = changes.IdTokenSignedResponseAlg };
        }
        if (changes.ClearTeam) client = client with { Team = null };
        else if (changes.Team is not null)
        {
            if (!IsTeamName(changes.Team))
                return OAuthError.InvalidClientMetadata("team", "team must be 1 to 64 of a-z, 0-9 and '-'.");
            client = client with { Team = changes.Team };
        }
        if (changes.ResourceServer is { } resourceServer) client = client with { ResourceServer = resourceServer };
        if (changes.ClearRateLimit) client = client with { RateLimitPerSecond = null };
        else if (changes.RateLimitPerSecond is { } limit)
        {
            if (limit is < 1 or > 10_000_000)
                return OAuthError.InvalidClientMetadata("rate_limit", "rate_limit must be between 1 and 10000000 requests per second.");
            client = client with { RateLimitPerSecond = limit };
        }

        // Rules across fields.
        if (client.AllowsGrant(GrantTypes.AuthorizationCode) && client.RedirectUris.Count == 0)
            return new OAuthError("invalid_redirect_uri", "redirect_uris: the authorization_code grant needs at least one redirect URI.") { Field = "redirect_uris" };
        if (client.IsPublic && client.AllowsGrant(GrantTypes.ClientCredentials))
            return OAuthError.InvalidClientMetadata("grant_types", "A public client (token_endpoint_auth_method none) cannot use client_credentials.");
        if (client.AllowsGrant(GrantTypes.RefreshToken) && !client.AllowsGrant(GrantTypes.AuthorizationCode))
            return OAuthError.InvalidClientMetadata("grant_types", "refresh_token needs the authorization_code grant: refresh tokens come from sign-in.");
        return client;
    }

    /// SPEC 9 team names: short, lower-case, URL-safe.
    public static bool IsTeamName(string team) =>
        team.Length is >= 1 and <= 64 && team.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// RFC 6749 §3.1.2: absolute, no fragment; https, or http only for loopback (RFC 8252 §7.3).
    private static string? RedirectUriProblem(string value)
    {
        if (value.Any(char.IsWhiteSpace)) return "must not contain whitespace.";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)) return "is not an absolute URI.";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "must not contain a fragment.";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp) return uri.IsLoopback ? null : "must use https (http only for loopback addresses).";
        return "must use https.";
    }
}
