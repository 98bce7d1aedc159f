using System.Net.Http.Headers;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// <summary>
/// A server with people and sign-in clients: a confidential web app (code + refresh, consent), a public app
/// (PKCE only, loopback redirect), a trusted first-party app (no consent), an RS256 relying party, and a
/// client-credentials-only client that registered a redirect URI anyway.
/// </summary>
public class SignInFixture : GatehouseFixture
{
    public const string Password = "correct horse battery staple";
    public const string DanaEmail = "dana.director@acme.example";
    public const string SamEmail = "sam.signatory@acme.example";
    public const string DisabledEmail = "former.director@acme.example";

    public SignInClient WebApp { get; private set; } = null!;
    public SignInClient PublicApp { get; private set; } = null!;
    public SignInClient Trusted { get; private set; } = null!;
    public SignInClient Rs256App { get; private set; } = null!;
    public SignInClient MachineOnly { get; private set; } = null!;

    /// A resource server's own client: it may read the revocation feed.
    public CreatedClient FeedReader { get; private set; } = null!;
    public string DanaSub { get; private set; } = "";
    public string SamSub { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
        // Every test signs in from 127.0.0.1: the per-address limit is tested on a server of its own.
        ["Gatehouse:SignIn:FailuresPerAddress"] = "100000",
        ["Gatehouse:SignIn:AuthorizationCodeLifetime"] = "00:00:03",
    };

    protected override async Task SeedAsync()
    {
        DanaSub = (await GatehouseCli.CreateUserAsync(DataDirectory, DanaEmail, Password, "Dana Director",
            "--given-name", "Dana", "--family-name", "Director", "--company", "01234567:Acme Lending Ltd:director",
            "--company", "SC765432:Acme Scotland Ltd:signatory")).GetProperty("sub").GetString()!;
        SamSub = (await GatehouseCli.CreateUserAsync(DataDirectory, SamEmail, Password, "Sam Signatory")).GetProperty("sub").GetString()!;
        var disabled = (await GatehouseCli.CreateUserAsync(DataDirectory, DisabledEmail, Password, "Former Director")).GetProperty("sub").GetString()!;
        await GatehouseCli.RunAsync(DataDirectory, "users", "disable", disabled);

        WebApp = await SignInClient.CreateAsync(DataDirectory, "Acme Portal", "https://portal.acme.example/signin-oidc",
            "--grant-type", "authorization_code", "--grant-type", "refresh_token", "--scope", "decisions:read applications:read",
            "--post-logout-redirect-uri", "https://portal.acme.example/signed-out");
        PublicApp = await SignInClient.CreateAsync(DataDirectory, "Acme Mobile", "http://127.0.0.1/callback",
            "--grant-type", "authorization_code", "--grant-type", "refresh_token", "--public", "--scope", "decisions:read");
        Trusted = await SignInClient.CreateAsync(DataDirectory, "Gatehouse Console", "https://console.acme.example/cb",
            "--grant-type", "authorization_code", "--no-consent");
        Rs256App = await SignInClient.CreateAsync(DataDirectory, "Legacy RP", "https://legacy.acme.example/cb",
            "--grant-type", "authorization_code", "--id-token-alg", "RS256");
        MachineOnly = await SignInClient.CreateAsync(DataDirectory, "Batch job", "https://batch.acme.example/cb");
        FeedReader = await CreateClientAsync("partner-api", resourceServer: true);
    }

    /// POST /oauth/token with the client's credentials (Basic) or, for a public client, client_id in the body.
    public Task<OAuthResponse> TokenAsync(SignInClient client, params (string Name, string Value)[] fields)
    {
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        AuthenticationHeaderValue? basic = null;
        if (client.Secret is null) form.Add(new("client_id", client.ClientId));
        else basic = OAuthTestClient.Basic(client.ClientId, client.Secret);
        return OAuth.PostFormAsync(OAuthPaths.Token, form, basic);
    }

    public Task<OAuthResponse> RedeemAsync(SignInClient client, string code, PkcePair pkce, string? redirectUri = null) =>
        TokenAsync(client, ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri ?? client.RedirectUri),
            ("code_verifier", pkce.Verifier));

    /// Signs Dana (or another person) in through the pages and returns the code sent to the client.
    public async Task<string> CodeAsync(SignInClient client, PkcePair pkce, string scope = "openid profile email companies",
        string email = DanaEmail, SignInBrowser? browser = null)
    {
        using var own = browser is null ? new SignInBrowser(Server) : null;
        var answer = await (browser ?? own!).SignInAsync(client.AuthorizeUrl(pkce, scope), email, Password);
        var query = answer.RedirectQuery();
        return query.TryGetValue("code", out var code) ? code : throw new Xunit.Sdk.XunitException($"No code in {answer.Location}");
    }
}
