using System.Text;
using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.Tests.Unit;

public class ClientCredentialsTests
{
    private static (HttpRequest, IFormCollection) Request(string? authorization, params (string Key, string Value)[] form)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null) context.Request.Headers.Authorization = authorization;
        var fields = form.ToDictionary(f => f.Key, f => new StringValues(f.Value));
        return (context.Request, new FormCollection(fields));
    }

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    [Fact]
    public void Read_Basic_FormUrlDecodesIdAndSecret()
    {
        // RFC 6749 §2.3.1: both halves are application/x-www-form-urlencoded before base64.
        var (request, form) = Request(Basic("client%3Aone", "p%40ss+word"));

        var credentials = ClientCredentials.Read(request, form);

        Assert.False(credentials.IsError);
        Assert.Equal("client:one", credentials.Value.ClientId);
        Assert.Equal("p@ss word", credentials.Value.Secret);
        Assert.True(credentials.Value.ViaBasic);
    }

    [Fact]
    public void Read_Post_TakesBodyCredentials()
    {
        var (request, form) = Request(null, ("client_id", "cc_client_a"), ("client_secret", "s"));

        var credentials = ClientCredentials.Read(request, form);

        Assert.Equal(new ClientCredentials("cc_client_a", "s", false), credentials.Value);
    }

    [Fact]
    public void Read_BasicAndBodySecret_IsInvalidRequest()
    {
        var (request, form) = Request(Basic("a", "b"), ("client_secret", "b"));

        Assert.Equal(OAuthErrorCodes.InvalidRequest, ClientCredentials.Read(request, form).Error.Code);
    }

    [Fact]
    public void Read_BasicWithDifferentBodyClientId_IsInvalidRequest()
    {
        var (request, form) = Request(Basic("a", "b"), ("client_id", "other"));

        Assert.Equal(OAuthErrorCodes.InvalidRequest, ClientCredentials.Read(request, form).Error.Code);
    }

    [Theory]
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic bm9jb2xvbg==")] // "nocolon"
    public void Read_MalformedBasic_IsInvalidClientWithBasicChallenge(string header)
    {
        var (request, form) = Request(header);

        var error = ClientCredentials.Read(request, form).Error;

        Assert.Equal((OAuthErrorCodes.InvalidClient, 401, true), (error.Code, error.Status, error.ChallengeBasic));
    }

    [Fact]
    public void Read_SecretWithoutClientId_IsInvalidClientChallengingBasic()
    {
        var (request, form) = Request(null, ("client_secret", "s"));

        var error = ClientCredentials.Read(request, form).Error;

        // RFC 9110 §11.6.1: a 401 names a scheme the client can use.
        Assert.Equal((OAuthErrorCodes.InvalidClient, 401, true), (error.Code, error.Status, error.ChallengeBasic));
    }

    [Fact]
    public void Read_ClientIdAlone_IsAPublicClientWithoutSecret()
    {
        // RFC 6749 §2.1: a public client identifies itself with client_id alone.
        var (request, form) = Request(null, ("client_id", "a"));

        var credentials = ClientCredentials.Read(request, form);

        Assert.False(credentials.IsError);
        Assert.Equal(("a", (string?)null), (credentials.Value.ClientId, credentials.Value.Secret));
    }
}
