using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Endpoints.Discovery;

/// RFC 8414 and OpenID Connect Discovery 1.0 metadata, serialized once: the issuer and catalogue are
/// fixed for the life of the process.
internal sealed class DiscoveryDocuments(IssuerUrl issuer, IOptions<GatehouseOptions> options)
{
    private readonly Lazy<(byte[] Body, string ETag)> _authorizationServer = new(() => Build(issuer, options.Value, openId: false));
    private readonly Lazy<(byte[] Body, string ETag)> _openIdConfiguration = new(() => Build(issuer, options.Value, openId: true));

    public (byte[] Body, string ETag) AuthorizationServer => _authorizationServer.Value;
    public (byte[] Body, string ETag) OpenIdConfiguration => _openIdConfiguration.Value;

    private static (byte[], string) Build(IssuerUrl issuer, GatehouseOptions options, bool openId)
    {
        string[] clientAuth = ["client_secret_basic", "client_secret_post"];
        var metadata = new Dictionary<string, object>
        {
            ["issuer"] = issuer.Value,
            ["authorization_endpoint"] = issuer.Endpoint("/oauth/authorize"),
            ["token_endpoint"] = issuer.Endpoint("/oauth/token"),
            ["userinfo_endpoint"] = issuer.Endpoint("/public/v1/userinfo"),
            ["jwks_uri"] = issuer.Endpoint("/.well-known/jwks.json"),
            ["introspection_endpoint"] = issuer.Endpoint("/oauth/introspect"),
            ["revocation_endpoint"] = issuer.Endpoint("/oauth/revoke"),
            ["grant_types_supported"] = new[] { "client_credentials", "authorization_code", "refresh_token" },
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "form_post" },
            ["end_session_endpoint"] = issuer.Endpoint("/oauth/logout"),
            ["prompt_values_supported"] = new[] { "none", "login", "consent", "select_account" },
            ["scopes_supported"] = options.ScopeList,
            // "none" is for public clients using PKCE (RFC 7636); confidential clients use a secret.
            ["token_endpoint_auth_methods_supported"] = clientAuth.Append("none").ToArray(),
            ["introspection_endpoint_auth_methods_supported"] = clientAuth,
            // A public client may revoke its own refresh token (RFC 7009 §2.1); introspection needs a secret.
            ["revocation_endpoint_auth_methods_supported"] = clientAuth.Append("none").ToArray(),
            ["code_challenge_methods_supported"] = new[] { "S256" },
            // ES256 signs by default; OIDC Discovery §3 requires RS256 to be available too.
            ["id_token_signing_alg_values_supported"] = new[] { "ES256", "RS256" },
            ["subject_types_supported"] = new[] { "public" },
            ["claims_supported"] = new[]
            {
                "iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "nonce", "auth_time", "azp", "sid", "at_hash", "amr",
                "name", "given_name", "family_name", "email", "email_verified", "companies",
            },
            ["authorization_response_iss_parameter_supported"] = true, // RFC 9207
            ["service_documentation"] = options.ServiceDocumentation,
        };
        if (openId)
        {
            metadata["claims_parameter_supported"] = false;
            metadata["frontchannel_logout_supported"] = false;
            metadata["request_parameter_supported"] = false;
            metadata["request_uri_parameter_supported"] = false;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(metadata);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"";
        return (body, etag);
    }
}
