using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dashboard;

/// SPEC 9: the dashboard is an OIDC client of its own server, `gatehouse-dashboard`: public (PKCE), code
/// grant only, no consent screen, redirect URIs under the issuer. Ensured at start and before the first
/// dashboard sign-in; idempotent across nodes (a lost creation race finds the winner's row).
internal sealed class DashboardClient(IClientStore store, ClientManagement management, ClientRegistry registry, StoreSync sync,
    IssuerUrl issuer, TimeProvider clock, IOptions<GatehouseOptions> options)
{
    public const string ClientId = "gatehouse-dashboard";
    public const string Scope = "openid profile email";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ensured;

    public string RedirectUri => issuer.Endpoint("/dashboard/callback");

    public string SignedOutUri => issuer.Endpoint("/dashboard/signed-out");

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ensured && registry.TryGet(ClientId, out _)) return;
        await _gate.WaitAsync(ct);
        try
        {
            var current = await store.FindAsync(ClientId, ct);
            if (current is null)
            {
                var client = new Client(ClientId, "Gatehouse dashboard", [], [options.Value.DefaultAudience], [GrantTypes.AuthorizationCode], null,
                    clock.GetUtcNow(), [])
                {
                    RedirectUris = [RedirectUri],
                    PostLogoutRedirectUris = [SignedOutUri],
                    TokenEndpointAuthMethod = ClientAuthMethods.None,
                    AuthMethodExplicit = true,
                    RequireConsent = false,
                };
                try
                {
                    await store.CreateAsync(client, new AuditEntry(clock.GetUtcNow(), Actor.System.Name, AuditActions.ClientCreated, ClientId,
                        "built-in dashboard client"), ct);
                }
                catch (Exception)
                {
                    // Another node created it first; anything else is a real failure.
                    if (await store.FindAsync(ClientId, ct) is null) throw;
                }
            }
            else if (!current.RedirectUris.SequenceEqual([RedirectUri]) || !current.PostLogoutRedirectUris.SequenceEqual([SignedOutUri]))
            {
                // The issuer changed: the same client, its addresses moved.
                await management.UpdateAsync(ClientId, new ClientRegistration(RedirectUris: [RedirectUri], PostLogoutRedirectUris: [SignedOutUri]),
                    Actor.System, ct);
            }
            await sync.RefreshClientAsync(ClientId, ct);
            _ensured = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
