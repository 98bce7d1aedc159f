using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Tests.Unit;

public class SecretFormatTests
{
    [Theory]
    [InlineData("sandbox")]
    [InlineData("live")]
    public void NewSecret_NamesItsEnvironment_AndPassesItsChecksum(string environment)
    {
        var secret = SecretFormat.NewSecret(environment);

        Assert.StartsWith($"cc_secret_{environment}_", secret);
        Assert.Equal(environment, SecretFormat.EnvironmentOf(secret));
    }

    [Fact]
    public void NewSecret_Carries256BitsOfRandomness_NeverRepeats()
    {
        var secrets = Enumerable.Range(0, 1000).Select(_ => SecretFormat.NewSecret("live")).ToHashSet();

        Assert.Equal(1000, secrets.Count);
        // 43 base62 characters: log2(62^43) = 256.03 bits.
        Assert.All(secrets, s => Assert.Equal("cc_secret_live_".Length + 43 + 6, s.Length));
    }

    [Fact]
    public void EnvironmentOf_AlteredCharacter_FailsChecksum()
    {
        var secret = SecretFormat.NewSecret("live");
        var index = "cc_secret_live_".Length + 5;
        var altered = secret[..index] + (secret[index] == 'a' ? 'b' : 'a') + secret[(index + 1)..];

        Assert.Null(SecretFormat.EnvironmentOf(altered));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hunter2")]
    [InlineData("cc_secret_live")]
    [InlineData("cc_secret_live_tooShort")]
    public void EnvironmentOf_NotOneOfOurSecrets_ReturnsNull(string value) =>
        Assert.Null(SecretFormat.EnvironmentOf(value));

    [Fact]
    public void NewClientId_UsesConfiguredPrefix_AndBase62()
    {
        var id = SecretFormat.NewClientId("cc_client_");

        Assert.Matches("^cc_client_[0-9A-Za-z]{22}$", id);
    }
}
