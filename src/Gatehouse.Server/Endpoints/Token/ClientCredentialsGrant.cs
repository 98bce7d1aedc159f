using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Endpoints.Token;

/// RFC 6749 §4.4: the client acts as itself. Decides the scope and audience of the token.
internal sealed class ClientCredentialsGrant(IOptions<GatehouseOptions> options, IssuerUrl issuer) : ITokenGrantHandler
{
    private readonly string _defaultAudience = options.Value.DefaultAudience;

    public ValueTask<Outcome<TokenGrant>> ValidateAsync(AuthenticatedClient caller, IFormCollection form, CancellationToken ct) =>
        ValueTask.FromResult(Validate(caller.Client, form));

    public Outcome<TokenGrant> Validate(Client client, IFormCollection form)
    {
        if (!client.AllowsGrant(GrantTypes.ClientCredentials))
            return OAuthError.UnauthorizedClient(GrantTypes.ClientCredentials);

        var target = Target(client, form.Value("audience"), form.Value("resource"), _defaultAudience);
        if (target.IsError) return target.Error;

        var scope = GrantedScope(client, form.Value("scope"), target.Value, issuer.Value);
        if (scope.IsError) return scope.Error;

        return new TokenGrant(client, scope.Value, target.Value, Subject: client.ClientId);
    }

    /// RFC 8707: `resource` names the target, as our `audience` does; the client must be provisioned for it.
    internal Outcome<string> Target(Client client, string? audience, string? resource, string defaultAudience)
    {
        if (audience is not null && resource is not null && audience != resource)
            return OAuthError.InvalidRequest("audience and resource name different targets; send one.");
        var target = audience ?? resource;
        if (target is null) return defaultAudience;
        if (!client.Audiences.Contains(target) && !IsOperatorAudience(client, target)) return OAuthError.InvalidTarget(target);
        return target;
    }

    /// The management API's audience is this server itself; any client granted an operator scope may ask for it.
    private bool IsOperatorAudience(Client client, string target) =>
        target == issuer.Value && client.Scopes.Any(ManagementScopes.All.Contains);

    /// Seed 002: scope defaults to the client's full granted set; a narrower request is honoured;
    /// a scope not granted is invalid_scope (RFC 6749 §5.2), naming the scope.
    /// SPEC 5: management scopes only for the management audience (the issuer): left out of the default
    /// for any other audience, and invalid_scope when asked for by name.
    internal static Outcome<string> GrantedScope(Client client, string? requested, string audience, string managementAudience)
    {
        var forManagement = audience == managementAudience;
        var scopes = requested is null ? [] : GatehouseOptions.Split(requested);
        if (scopes.Length == 0) return forManagement ? client.ScopeString : DefaultScopeOutsideManagement(client, audience, managementAudience);
        foreach (var scope in scopes)
        {
            if (!client.Scopes.Contains(scope)) return OAuthError.InvalidScope(scope);
            if (!forManagement && ManagementScopes.IsManagement(scope)) return ManagementScopes.OnlyForIssuer(scope, managementAudience);
        }
        return scopes.Length == 1 ? scopes[0] : string.Join(' ', scopes.Distinct(StringComparer.Ordinal));
    }

    /// RFC 6749 §3.3: without a scope the default applies, or invalid_scope when there is none to give.
    private static Outcome<string> DefaultScopeOutsideManagement(Client client, string audience, string managementAudience)
    {
        if (ManagementScopes.FirstIn(client.ScopeString) is null) return client.ScopeString; // the common case: no allocation
        var ordinary = client.Scopes.Where(s => !ManagementScopes.IsManagement(s)).ToArray();
        return ordinary.Length == 0 ? ManagementScopes.NothingLeftFor(audience, managementAudience) : string.Join(' ', ordinary);
    }
}
