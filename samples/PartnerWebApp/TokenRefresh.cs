using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace PartnerWebApp;

/// Uses the saved refresh token (RFC 6749 §6) and stores the rotated one Gatehouse returns.
internal static class TokenRefresh
{
    public static async Task<IResult> RefreshAsync(HttpContext context, IHttpClientFactory http, IOptionsMonitor<OpenIdConnectOptions> oidc)
    {
        if (!await HomePage.IsGenuineFormAsync(context)) return Results.BadRequest();
        var authenticated = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var refreshToken = authenticated.Properties?.GetTokenValue("refresh_token");
        if (authenticated.Principal is null || refreshToken is null) return Results.Redirect("/signin");

        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(options.ClientId!)}:{Uri.EscapeDataString(options.ClientSecret!)}")));
        using var response = await http.CreateClient().SendAsync(request, context.RequestAborted);
        if (!response.IsSuccessStatusCode) return Results.Redirect("/signin");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.RequestAborted));

        var properties = authenticated.Properties!;
        properties.UpdateTokenValue("access_token", body.RootElement.GetProperty("access_token").GetString()!);
        properties.UpdateTokenValue("refresh_token", body.RootElement.GetProperty("refresh_token").GetString()!);
        if (body.RootElement.TryGetProperty("id_token", out var idToken)) properties.UpdateTokenValue("id_token", idToken.GetString()!);
        properties.StoreTokens([.. properties.GetTokens().Where(t => t.Name != "refreshed_at"),
            new AuthenticationToken { Name = "refreshed_at", Value = DateTimeOffset.UtcNow.ToString("u") }]);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, authenticated.Principal, properties);
        return Results.Redirect("/");
    }
}
