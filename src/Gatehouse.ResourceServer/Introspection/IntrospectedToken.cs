using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.ResourceServer.Introspection;

/// An active introspection answer (RFC 7662 §2.2), in the shape JwtBearer expects of a validated token.
internal sealed class IntrospectedToken(string? jti, string? issuer, string? clientId, DateTimeOffset issuedAt, DateTimeOffset expiresAt) : SecurityToken
{
    public override string? Id => jti;
    public override string? Issuer => issuer;
    public string? ClientId => clientId;
    public override SecurityKey? SecurityKey => null;
    public override SecurityKey? SigningKey { get; set; }
    public override DateTime ValidFrom => issuedAt.UtcDateTime;
    public override DateTime ValidTo => expiresAt.UtcDateTime;
    public override string UnsafeToString() => "[introspected token]";
}
