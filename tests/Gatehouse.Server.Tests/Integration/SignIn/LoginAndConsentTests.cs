using System.Diagnostics;
using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 "Pages": the login and consent forms as a browser posts them (the page tests drive Chromium).
public sealed class LoginAndConsentTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    const string Incorrect = "Incorrect email or password.";

    [Fact]
    public async Task Login_WrongPasswordAndUnknownEmail_SameMessageAndNoSession()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New()));
        var wrongPassword = await browser.LogInAsync(page, SignInFixture.SamEmail, "not the password");
        var unknownEmail = await browser.LogInAsync(page, "nobody@acme.example", "not the password");
        Assert.True(wrongPassword.Shows(Incorrect));
        Assert.True(unknownEmail.Shows(Incorrect));
        Assert.Equal(wrongPassword.Status, unknownEmail.Status);
        Assert.DoesNotContain(browser.Cookies.GetCookies(new Uri(fixture.Server.BaseAddress)), c => c.Name == "gh_session");
    }

    [Fact]
    public async Task Login_UnknownEmail_TakesAboutAsLongAsAWrongPassword()
    {
        // No enumeration by timing: both verify one password hash. Compared, not timed against a bound.
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New()));
        await browser.LogInAsync(page, "warm-up@acme.example", "x-warm-up"); // first hash of the decoy
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            known.Add(await TimeAsync(() => browser.LogInAsync(page, SignInFixture.SamEmail + "x" + i, "nope")));
            unknown.Add(await TimeAsync(() => browser.LogInAsync(page, $"nobody{i}@acme.example", "nope")));
        }
        var ratio = unknown.Order().ElementAt(1) / known.Order().ElementAt(1);
        Assert.InRange(ratio, 0.33, 3.0);

        static async Task<double> TimeAsync(Func<Task> action)
        {
            var watch = Stopwatch.StartNew();
            await action();
            return watch.Elapsed.TotalMilliseconds;
        }
    }

    [Fact]
    public async Task Login_DisabledAccountWithRightPassword_SaysDisabled()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New()));
        Assert.True((await browser.LogInAsync(page, SignInFixture.DisabledEmail, SignInFixture.Password)).Shows("This account is disabled."));
        Assert.True((await browser.LogInAsync(page, SignInFixture.DisabledEmail, "wrong password")).Shows(Incorrect));
    }

    [Fact]
    public async Task Login_EmailInAnyCase_SignsIn()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid"));
        var answer = await browser.LogInAsync(page, SignInFixture.DanaEmail.ToUpperInvariant(), SignInFixture.Password);
        Assert.True(answer.RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Login_FormWithoutAntiforgeryToken_IsRefusedAndStartsNoSession()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid"));
        var fields = page.Form("/oauth/login");
        fields.Remove("__RequestVerificationToken");
        fields["email"] = SignInFixture.DanaEmail;
        fields["password"] = SignInFixture.Password;
        var forged = await browser.PostAsync("/oauth/login", fields);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Null(forged.Location);
        Assert.DoesNotContain(browser.Cookies.GetCookies(new Uri(fixture.Server.BaseAddress)), c => c.Name == "gh_session");
    }

    [Fact]
    public async Task Login_AlteredRequestField_IsRefused()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid"));
        var fields = page.Form("/oauth/login");
        fields["request"] = fields["request"][..^4] + "AAAA";
        fields["email"] = SignInFixture.DanaEmail;
        fields["password"] = SignInFixture.Password;
        var altered = await browser.PostAsync("/oauth/login", fields);
        Assert.Equal(HttpStatusCode.BadRequest, altered.Status);
        Assert.Null(altered.Location);
    }

    [Fact]
    public async Task Consent_Deny_RedirectsAccessDenied()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid email"));
        var consent = await browser.LogInAsync(page, SignInFixture.SamEmail, SignInFixture.Password);
        var answer = await browser.DecideAsync(consent, allow: false);
        Assert.Equal(HttpStatusCode.SeeOther, answer.Status);
        Assert.Equal("access_denied", answer.RedirectQuery()["error"]);
        Assert.Equal("st-123", answer.RedirectQuery()["state"]);
    }

    [Fact]
    public async Task Consent_PageNamesClientScopesAndCompanies()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid email companies decisions:read", state: "c1"));
        var consent = await browser.LogInAsync(page, SignInFixture.DanaEmail, SignInFixture.Password);
        Assert.True(consent.Shows("Acme Portal"));
        Assert.True(consent.Shows("Your email address"));
        Assert.True(consent.Shows("Read decision outcomes, offered terms and the reason codes"));
        Assert.True(consent.Shows("Acme Lending Ltd (01234567), director"));
        Assert.True(consent.Shows("Acme Scotland Ltd (SC765432), signatory"));
        Assert.Contains(">Allow</button>", consent.Body);
        Assert.Contains(">Deny</button>", consent.Body);
    }

    [Fact]
    public async Task Consent_Remembered_NotAskedAgainButAskedForNewScopesAndWithPromptConsent()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.WebApp, PkcePair.New(), "openid profile", SignInFixture.SamEmail, browser);

        var same = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid profile"));
        Assert.True(same.RedirectQuery().ContainsKey("code"));
        var wider = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid profile email"));
        Assert.Contains("action=\"/oauth/consent\"", wider.Body);
        var forced = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid profile", overrides: new Dictionary<string, string?> { ["prompt"] = "consent" }));
        Assert.Contains("action=\"/oauth/consent\"", forced.Body);
    }

    [Fact]
    public async Task Consent_ClientWithoutConsent_IsNeverAsked()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid profile email"));
        var answer = await browser.LogInAsync(page, SignInFixture.SamEmail, SignInFixture.Password);
        Assert.True(answer.RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Consent_FormFromAnotherSession_IsRefused()
    {
        using var first = new SignInBrowser(fixture.Server);
        var page = await first.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid email"));
        var consent = await first.LogInAsync(page, SignInFixture.SamEmail, SignInFixture.Password);
        using var second = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.Trusted, PkcePair.New(), "openid", SignInFixture.SamEmail, second);
        var fields = consent.Form("/oauth/consent");
        fields["decision"] = "allow";
        // The second browser has its own session and anti-forgery cookie: the first one's form is refused.
        var replayed = await second.PostAsync("/oauth/consent", fields);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.Status);
        Assert.Null(replayed.Location);
    }

    [Fact]
    public async Task Authorize_PromptLoginOrMaxAgeZero_ShowsLoginDespiteSession()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.Trusted, PkcePair.New(), "openid", SignInFixture.SamEmail, browser);
        Assert.True((await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid"))).RedirectQuery().ContainsKey("code"));

        var login = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid", overrides: new Dictionary<string, string?> { ["prompt"] = "login" }));
        Assert.Contains("action=\"/oauth/login\"", login.Body);
        await Task.Delay(1100);
        var maxAge = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid", overrides: new Dictionary<string, string?> { ["max_age"] = "0" }));
        Assert.Contains("action=\"/oauth/login\"", maxAge.Body);
        // Logging in again through that page answers the client (no loop back to the login page).
        var answer = await browser.LogInAsync(maxAge, SignInFixture.SamEmail, SignInFixture.Password);
        Assert.True(answer.RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Login_LoginHint_PrefillsEmail()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), overrides: new Dictionary<string, string?> { ["login_hint"] = "hinted@acme.example" }));
        Assert.Contains("value=\"hinted@acme.example\"", page.Body);
    }

    [Fact]
    public async Task SessionCookie_IsHttpOnlyAndSameSiteLax()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid"));
        var fields = page.Form("/oauth/login");
        fields["email"] = SignInFixture.SamEmail;
        fields["password"] = SignInFixture.Password;
        var answer = await browser.PostAsync("/oauth/login", fields);
        var setCookie = answer.Raw.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gh_session="));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("gh_session=ghs_", setCookie);
    }
}

/// The per-account and per-address throttles, each on a server of its own (they are shared state).
public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Login_FiveFailuresForOneAccount_RefusesEvenTheRightPasswordThenRecovers()
    {
        using var data = new ScratchDirectory();
        await GatehouseCli.CreateUserAsync(data.Path, "victim@acme.example", SignInFixture.Password, "Victim");
        var client = await SignInClient.CreateAsync(data.Path, "App", "https://app.acme.example/cb", "--grant-type", "authorization_code", "--no-consent");
        await using var server = await GatehouseProcess.StartAsync(data.Path, new Dictionary<string, string>
        {
            ["Gatehouse:SignIn:FailureWindow"] = "00:00:04",
        });
        using var browser = new SignInBrowser(server);
        var page = await browser.GetAsync(client.AuthorizeUrl(PkcePair.New(), "openid"));
        for (var i = 0; i < 5; i++) Assert.True((await browser.LogInAsync(page, "victim@acme.example", "guess-" + i)).Shows("Incorrect email or password."));

        var refused = await browser.LogInAsync(page, "VICTIM@acme.example", SignInFixture.Password);
        Assert.True(refused.Shows("Too many attempts. Try again in a few minutes."));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);

        // The window passes (refused attempts did not extend it): the person gets in.
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        Assert.True((await browser.LogInAsync(page, "victim@acme.example", SignInFixture.Password)).RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Login_TwentyFailuresFromOneAddress_RefusesOtherAccountsToo()
    {
        using var data = new ScratchDirectory();
        await GatehouseCli.CreateUserAsync(data.Path, "person@acme.example", SignInFixture.Password, "Person");
        var client = await SignInClient.CreateAsync(data.Path, "App", "https://app.acme.example/cb", "--grant-type", "authorization_code", "--no-consent");
        await using var server = await GatehouseProcess.StartAsync(data.Path);
        using var browser = new SignInBrowser(server);
        var page = await browser.GetAsync(client.AuthorizeUrl(PkcePair.New(), "openid"));
        for (var i = 0; i < 20; i++) await browser.LogInAsync(page, $"sprayed{i}@acme.example", "guess");
        Assert.True((await browser.LogInAsync(page, "person@acme.example", SignInFixture.Password)).Shows("Too many attempts. Try again in a few minutes."));
    }
}
