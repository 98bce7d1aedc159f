// Floor server for bench/Gatehouse.Bench: a bare minimal API whose single endpoint reads
// the form and signs one ES256 access token with JsonWebTokenHandler. No client lookup,
// no secret check, no rate limiting, no storage: whatever Gatehouse does on top of this
// is the cost the benchmark's "ratio to floor" figure measures.
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FloorJsonContext.Default));
var app = builder.Build();

var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var signingKey = new ECDsaSecurityKey(ecdsa) { KeyId = "floor-es256-1" };
var credentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256);
var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
const string Issuer = "http://127.0.0.1";
const string DefaultScope = "applications:write decisions:read payments:write";

app.MapPost("/oauth/token", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync();
    var scope = form["scope"].ToString();
    if (scope.Length == 0) scope = DefaultScope;

    var now = DateTime.UtcNow;
    var descriptor = new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = "partner/v1",
        IssuedAt = now,
        Expires = now.AddHours(1),
        TokenType = "at+jwt",
        SigningCredentials = credentials,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = "cc_client_floor",
            ["client_id"] = "cc_client_floor",
            ["scope"] = scope,
            ["jti"] = Guid.NewGuid().ToString("N"),
        },
    };
    var token = handler.CreateToken(descriptor);

    context.Response.Headers.CacheControl = "no-store";
    context.Response.Headers.Pragma = "no-cache";
    return Results.Json(new FloorTokenResponse(token, "Bearer", 3600, scope), FloorJsonContext.Default.FloorTokenResponse);
});

app.MapGet("/healthz", () => Results.Text("ok"));

app.Run();

internal sealed record FloorTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

[JsonSerializable(typeof(FloorTokenResponse))]
internal sealed partial class FloorJsonContext : JsonSerializerContext;
