using Gatehouse.Server.Grants;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Sessions;

/// The browser side of a sign-in session (SPEC 8): an HttpOnly, SameSite=Lax cookie holding a random
/// handle, `__Host-` prefixed and Secure when the issuer is https. The session itself is in the store,
/// so any node honours it and signing out ends it everywhere.
internal sealed class SignInSessions(ISessionStore store, IUserStore users, IssuerUrl issuer, TimeProvider clock, IOptions<GatehouseOptions> options)
{
    private readonly TimeSpan _lifetime = options.Value.SignIn.SessionLifetime;

    private bool Secure => issuer.Value.StartsWith("https://", StringComparison.Ordinal);

    public string CookieName => Secure ? "__Host-gh_session" : "gh_session";

    /// The live session of this browser and its person, or null (none, ended, expired, person gone or disabled).
    public async Task<(Session Session, User User)?> CurrentAsync(HttpContext context, CancellationToken ct)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var handle) || !handle.StartsWith(GrantHandles.SessionPrefix, StringComparison.Ordinal))
            return null;
        var session = await store.FindAsync(GrantHandles.Hash(handle), ct);
        if (session is null || !session.IsLive(clock.GetUtcNow())) return null;
        var user = await users.FindAsync(session.Sub, ct);
        if (user is null || user.Disabled) return null;
        return (session, user);
    }

    public async Task<Session> StartAsync(HttpContext context, User user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var handle = GrantHandles.NewSessionHandle();
        var session = new Session(GrantHandles.Hash(handle), "sid_" + Guid.NewGuid().ToString("N"), user.Sub, now, "pwd", now, now + _lifetime, null);
        // A session fixed by an attacker's cookie is replaced, never reused: the old one ends here (its cookie is overwritten).
        await EndStoredAsync(context, ct);
        await store.CreateAsync(session, ct);
        context.Response.Cookies.Append(CookieName, handle, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = Secure,
            Path = "/",
            Expires = session.ExpiresAt,
            IsEssential = true,
        });
        return session;
    }

    public async Task EndAsync(HttpContext context, CancellationToken ct)
    {
        await EndStoredAsync(context, ct);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", Secure = Secure, HttpOnly = true, SameSite = SameSiteMode.Lax });
    }

    private async Task EndStoredAsync(HttpContext context, CancellationToken ct)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var handle) && handle.StartsWith(GrantHandles.SessionPrefix, StringComparison.Ordinal))
            await store.EndAsync(GrantHandles.Hash(handle), clock.GetUtcNow(), ct);
    }
}
