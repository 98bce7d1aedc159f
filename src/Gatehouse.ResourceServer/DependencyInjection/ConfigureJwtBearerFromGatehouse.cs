using Gatehouse.ResourceServer.Validation;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.ResourceServer;

/// Turns a scheme's GatehouseBearerOptions into JwtBearerOptions: the RFC 9068 profile of a JWT access token.
internal sealed class ConfigureJwtBearerFromGatehouse(GatehouseSchemeNames names, IServiceProvider services)
    : IConfigureNamedOptions<JwtBearerOptions>, IPostConfigureOptions<JwtBearerOptions>
{
    // RFC 9068 §4: ES256 is what Gatehouse signs with; RS256 is the algorithm every RFC 9068 server must support.
    private static readonly string[] Algorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256];

    public void Configure(JwtBearerOptions options) { }

    public void Configure(string? name, JwtBearerOptions jwt)
    {
        if (name is null || !names.Contains(name)) return;
        var scheme = services.GetRequiredKeyedService<GatehouseScheme>(name);
        var gatehouse = scheme.Options;

        jwt.ConfigurationManager = scheme.Metadata;
        jwt.RefreshOnIssuerKeyNotFound = false; // GatehouseBearerEvents fetches unknown keys before validation
        jwt.MapInboundClaims = false;            // keep scope, client_id, sub as the token names them
        jwt.SaveToken = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,               // against the issuer in the metadata, which must equal Authority
            ValidateAudience = true,
            ValidAudience = gatehouse.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = gatehouse.ClockSkew,
            RequireSignedTokens = true,
            ValidAlgorithms = Algorithms,
            ValidTypes = ["at+jwt", "application/at+jwt"], // RFC 9068 §2.1, §4
            TryAllIssuerSigningKeys = false,
            NameClaimType = "sub",
            RoleClaimType = "role",
            AuthenticationType = name,
        };
        if (scheme.Introspection is { } introspection)
        {
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(introspection);
        }
    }

    // After every Configure, whichever order the app's ran in: the events it set up (handlers assigned to
    // Events, its own Events, or an EventsType) are wrapped, not replaced, and still run.
    public void PostConfigure(string? name, JwtBearerOptions jwt)
    {
        if (name is null || !names.Contains(name)) return;
        jwt.Events = new GatehouseBearerEvents(services.GetRequiredKeyedService<GatehouseScheme>(name), jwt.Events ?? new JwtBearerEvents(), jwt.EventsType);
        jwt.EventsType = null;
    }
}
