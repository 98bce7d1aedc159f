using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Consent;
using Gatehouse.Server.Pages.Login;
using Gatehouse.Server.Pages.Shared;
using Gatehouse.Server.Sessions;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Endpoints.Authorize;

/// What happens to a valid authorization request (SPEC 8): the login page unless a session fits, then the
/// consent page unless the person already allowed every requested scope (or the client needs none), then a
/// code back to the client. prompt=none never shows a page: it answers login_required or consent_required.
internal sealed class AuthorizationFlow(
    SignInSessions sessions,
    IGrantStore grants,
    AuthorizationRequestProtector protector,
    AuthorizationResponses responses,
    TimeProvider clock,
    IOptions<GatehouseOptions> options)
{
    private readonly SignInOptions _signIn = options.Value.SignIn;

    public async Task<IResult> ContinueAsync(HttpContext context, AuthorizationRequest request, Client client, CancellationToken ct)
    {
        var current = await sessions.CurrentAsync(context, ct);
        var to = RedirectOf(request);
        if (current is not var (session, user) || NeedsLogin(request, session))
        {
            if (request.HasPrompt(Prompts.None))
                return responses.Error(context, to, new OAuthError(OAuthErrorCodes.LoginRequired, "The person is not signed in."));
            return LoginPage(context, request, client, email: request.LoginHint, error: null);
        }
        return await AfterLoginAsync(context, request, client, session, user, ct);
    }

    /// Once the person is known: consent if needed, else the code.
    public async Task<IResult> AfterLoginAsync(HttpContext context, AuthorizationRequest request, Client client, Sessions.Session session, User user,
        CancellationToken ct)
    {
        var requested = Scopes.Split(request.Scope);
        var needsConsent = client.RequireConsent &&
            (request.HasPrompt(Prompts.Consent) || requested.Except(await grants.FindConsentAsync(user.Sub, client.ClientId, ct)).Any());
        if (!needsConsent) return await IssueCodeAsync(context, request, session, user, ct);
        if (request.HasPrompt(Prompts.None))
            return responses.Error(context, RedirectOf(request), new OAuthError(OAuthErrorCodes.ConsentRequired, "The person has not consented to these scopes."));
        return PageResults.Page<ConsentPage>(context, new
        {
            ClientName = client.Name,
            PersonEmail = user.Email,
            Lines = requested.Select(scope => new ConsentLine(scope, ScopeCatalogue.Describe(scope),
                scope == Scopes.Companies ? user.Companies.Select(c => $"{c.Name} ({c.CompanyNumber}), {c.Role}").ToArray() : [])).ToArray(),
            Request = protector.Protect(request, FormPurposes.Consent, session.Sid),
            Form = PageResults.Form(context),
            Environment = PageResults.EnvironmentOf(context),
        });
    }

    public async Task<IResult> IssueCodeAsync(HttpContext context, AuthorizationRequest request, Sessions.Session session, User user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var code = GrantHandles.NewCode();
        var grant = new Grant("grt_" + Guid.NewGuid().ToString("N"), request.ClientId, user.Sub, request.Scope, request.Audience, session.Sid,
            session.AuthTime, session.Amr, now, now + _signIn.RefreshTokenAbsoluteLifetime, null);
        await grants.CreateWithCodeAsync(grant, new AuthorizationCode(GrantHandles.Hash(code), grant.GrantId, request.ClientId, request.RedirectUri,
            request.CodeChallenge, request.Nonce, now, now + _signIn.AuthorizationCodeLifetime, null), ct);
        return responses.Code(context, RedirectOf(request), code);
    }

    public IResult LoginPage(HttpContext context, AuthorizationRequest request, Client client, string? email, string? error,
        int status = StatusCodes.Status200OK) =>
        PageResults.Page<LoginPage>(context, new
        {
            ClientName = client.Name,
            Request = protector.Protect(request, FormPurposes.Login),
            Form = PageResults.Form(context),
            Environment = PageResults.EnvironmentOf(context),
            Email = email,
            Error = error,
        }, status);

    public static ClientRedirect RedirectOf(AuthorizationRequest request) => new(request.RedirectUri, request.ResponseMode, request.State);

    /// OIDC Core §3.1.2.1: prompt=login (and select_account) ask again; max_age bounds the session's age.
    private bool NeedsLogin(AuthorizationRequest request, Sessions.Session session) =>
        request.HasPrompt(Prompts.Login) || request.HasPrompt(Prompts.SelectAccount) ||
        (request.MaxAge is { } maxAge && clock.GetUtcNow() - session.AuthTime > TimeSpan.FromSeconds(maxAge));
}
