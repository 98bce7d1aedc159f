using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Server.Endpoints.Authorize;

/// Carries a validated authorization request through the login, consent and sign-out forms: encrypted and
/// signed by Data Protection (shared by every node), bound to a purpose and valid for 15 minutes, so a form
/// can neither be altered nor replayed later. `Sid` binds a consent form to the session that saw it.
internal sealed class AuthorizationRequestProtector(IDataProtectionProvider provider, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("gatehouse.authorize.v1").ToTimeLimitedDataProtector();

    public string Protect(AuthorizationRequest request, string purpose, string? sid = null) =>
        _protector.Protect(JsonSerializer.Serialize(new Envelope(purpose, sid, request)), clock.GetUtcNow() + Lifetime);

    public (AuthorizationRequest Request, string? Sid)? Unprotect(string? value, string purpose)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 16_384) return null;
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(_protector.Unprotect(value, out var expiration));
            if (envelope is null || envelope.Purpose != purpose || expiration < clock.GetUtcNow()) return null;
            return (envelope.Request, envelope.Sid);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private sealed record Envelope(string Purpose, string? Sid, AuthorizationRequest Request);
}

internal static class FormPurposes
{
    public const string Login = "login";
    public const string Consent = "consent";
}
