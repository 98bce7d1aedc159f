using System.Text;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Tests.Unit;

/// Issue 11, defect 2: the one protocol form reader matches names exactly and decodes strictly.
public class OAuthFormTests
{
    private static Outcome<Microsoft.AspNetCore.Http.IFormCollection> Parse(string body) => OAuthForm.Parse(Encoding.UTF8.GetBytes(body));

    private static Outcome<Microsoft.AspNetCore.Http.IFormCollection> Parse(byte[] body) => OAuthForm.Parse(body);

    [Fact]
    public void Parse_NamesInOtherCase_AreDifferentParameters()
    {
        var form = Parse("GRANT_TYPE=a&grant_type=b&Scope=x");

        Assert.False(form.IsError);
        Assert.Equal("b", form.Value.Value("grant_type"));
        Assert.Null(form.Value.Value("scope"));
        Assert.Equal("x", form.Value.Value("Scope"));
        Assert.False(form.Value.ContainsKey("SCOPE"));
    }

    [Fact]
    public void Parse_PlusAndPercentEscapes_AreDecoded()
    {
        var form = Parse("scope=a+b%20c&client_id=%63lient%3A1&redirect_uri=https%3A%2F%2Fx%2F%C3%A9");

        Assert.Equal("a b c", form.Value.Value("scope"));
        Assert.Equal("client:1", form.Value.Value("client_id"));
        Assert.Equal("https://x/é", form.Value.Value("redirect_uri"));
    }

    [Fact]
    public void Parse_CurlStyleLiteralSpacesAndColons_AreKept()
    {
        var form = Parse("grant_type=client_credentials&scope=applications:write decisions:read");

        Assert.Equal("applications:write decisions:read", form.Value.Value("scope"));
    }

    [Theory]
    [InlineData("token=%")]
    [InlineData("token=%4")]
    [InlineData("token=%zz")]
    [InlineData("to%Gken=1")]
    [InlineData("token=%C3")] // a lone UTF-8 lead byte
    [InlineData("token=%ED%A0%80")] // an encoded surrogate
    public void Parse_MalformedEscapesOrUtf8_Returns400InvalidRequest(string body)
    {
        var form = Parse(body);

        Assert.True(form.IsError);
        Assert.Equal("invalid_request", form.Error.Code);
    }

    [Fact]
    public void Parse_RawNonUtf8Bytes_Returns400InvalidRequest()
    {
        var form = Parse([.. "token="u8, 0xff, 0xfe]);

        Assert.True(form.IsError);
    }

    [Fact]
    public void Parse_RepeatedName_Returns400NamingIt()
    {
        var form = Parse("scope=a&scope=b");

        Assert.True(form.IsError);
        Assert.Contains("'scope'", form.Error.Description);
    }

    [Fact]
    public void Parse_RepeatedHugeName_EchoesItShortened()
    {
        var name = new string('n', 5000);

        var form = Parse($"{name}=1&{name}=2");

        Assert.True(form.Error.Description!.Length < 200);
    }

    [Fact]
    public void Parse_EmptyPairsAndEmptyNames_AreSkipped()
    {
        var form = Parse("&&=x&token=t&&client_secret");

        Assert.False(form.IsError);
        Assert.Equal("t", form.Value.Value("token"));
        Assert.True(form.Value.ContainsKey("client_secret"));
        Assert.Null(form.Value.Value("client_secret"));
        Assert.Equal(2, form.Value.Count);
    }

    [Fact]
    public void Parse_EmptyBody_IsAnEmptyForm()
    {
        var form = Parse("");

        Assert.False(form.IsError);
        Assert.Empty(form.Value);
    }
}
