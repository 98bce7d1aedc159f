using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

/// SPEC 6: rotation without failed verification; <c>keys rotate</c>, <c>keys list</c>, <c>keys revoke KID</c>.
public sealed class KeyRotationTests
{
    static readonly Dictionary<string, string> ImmediateRotation = new()
    {
        // Publish-before-sign window of zero, so a rotation takes effect at the next sync (contract notes).
        ["Gatehouse:Keys:PrePublish"] = "00:00:00",
    };

    sealed class RotationScene : IAsyncDisposable
    {
        public required ScratchDirectory Directory { get; init; }
        public required GatehouseProcess Server { get; init; }
        public required CreatedClient Client { get; init; }

        public static async Task<RotationScene> StartAsync()
        {
            var directory = new ScratchDirectory();
            var client = await GatehouseCli.CreateClientAsync(directory.Path, "rotation", rateLimit: GatehouseFixture.UnthrottledRateLimit);
            var server = await GatehouseProcess.StartAsync(directory.Path, ImmediateRotation);
            return new RotationScene { Directory = directory, Server = server, Client = client };
        }

        public Task<CliResult> Cli(params string[] args) => GatehouseCli.RunAsync(Directory.Path, args);

        /// The CLI run with the server's own settings, as an operator sharing the server's configuration would.
        public Task<CliResult> CliWithServerSettings(params string[] args) =>
            Cli([.. args, .. ImmediateRotation.Select(setting => $"--{setting.Key}={setting.Value}")]);

        public async Task<JsonElement[]> KeysListAsync()
        {
            var result = await Cli("keys", "list", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            using var document = JsonDocument.Parse(result.Stdout);
            Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
            return document.RootElement.Clone().EnumerateArray().ToArray();
        }

        public async Task<string[]> JwksKidsAsync()
        {
            var response = await Server.OAuth.GetAsync(OAuthPaths.Jwks);
            OAuthAssert.Status(HttpStatusCode.OK, response);
            return OAuthAssert.Property(response.Json, "keys").EnumerateArray().Select(k => OAuthAssert.StringProperty(k, "kid")).ToArray();
        }

        public async Task<(string Token, string Kid)> MintAsync()
        {
            var token = await Server.OAuth.GetAccessTokenAsync(Client);
            return (token, TestJwt.Parse(token).Kid);
        }

        /// <summary>
        /// Runs <c>keys rotate</c> and waits (at most a second, contract notes on PrePublish) until new
        /// tokens carry a kid other than <paramref name="oldKid"/>; returns that kid.
        /// </summary>
        public async Task<string> RotateAsync(string oldKid, bool withServerSettings = true)
        {
            var rotated = withServerSettings ? await CliWithServerSettings("keys", "rotate") : await Cli("keys", "rotate");
            Assert.True(rotated.ExitCode == 0, rotated.ToString());

            var (_, newKid) = await Eventually.Within(TimeSpan.FromSeconds(1), MintAsync, minted => minted.Kid != oldKid,
                $"tokens are signed with a new key after keys rotate (old kid {oldKid})");
            return newKid;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Dispose();
        }
    }

    static string Status(JsonElement[] keys, string kid) =>
        OAuthAssert.StringProperty(Assert.Single(keys, k => k.GetProperty("kid").GetString() == kid), "status");

    [Fact]
    public async Task Keys_Rotate_NewTokensUseNewKidWhileOldTokensStayValid()
    {
        await using var scene = await RotationScene.StartAsync();
        var (oldToken, oldKid) = await scene.MintAsync();
        var before = await scene.KeysListAsync();
        Assert.Equal("active", Status(before, oldKid));
        Assert.All(before, key =>
        {
            OAuthAssert.StringProperty(key, "alg");
            OAuthAssert.StringProperty(key, "created_at");
            OAuthAssert.Property(key, "activates_at");
            Assert.Contains(OAuthAssert.StringProperty(key, "status"), new[] { "pending", "active", "retired", "revoked" });
        });

        var newKid = await scene.RotateAsync(oldKid);

        OAuthAssert.Active(await scene.Server.OAuth.IntrospectAsync(oldToken, scene.Client));
        var kids = await scene.JwksKidsAsync();
        Assert.Contains(oldKid, kids);
        Assert.Contains(newKid, kids);
        var after = await scene.KeysListAsync();
        Assert.Equal("active", Status(after, newKid));
        Assert.Equal("retired", Status(after, oldKid));
        Assert.Equal("ES256", OAuthAssert.StringProperty(after.Single(k => k.GetProperty("kid").GetString() == newKid), "alg"));
        Assert.True(TestJwt.VerifyEs256(oldToken, JsonDocument.Parse(await scene.Server.OAuth.GetPublicJwkAsync(oldKid)).RootElement));
    }

    [Fact]
    public async Task Keys_RevokeRetiredKey_ItsTokensBecomeInactiveAndKidLeavesJwks()
    {
        await using var scene = await RotationScene.StartAsync();
        var (oldToken, oldKid) = await scene.MintAsync();
        var newKid = await scene.RotateAsync(oldKid);
        var (newToken, _) = await scene.MintAsync();

        var revoked = await scene.Cli("keys", "revoke", oldKid);

        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        await Eventually.Within(TimeSpan.FromSeconds(2), () => scene.Server.OAuth.IntrospectAsync(oldToken, scene.Client),
            r => r.Status == HttpStatusCode.OK && r.Json.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.False,
            "tokens signed by a revoked key introspect inactive");
        OAuthAssert.Inactive(await scene.Server.OAuth.IntrospectAsync(oldToken, scene.Client));
        await Eventually.Within(TimeSpan.FromSeconds(2), scene.JwksKidsAsync, kids => !kids.Contains(oldKid),
            "a revoked kid leaves the JWKS");
        Assert.Contains(newKid, await scene.JwksKidsAsync());
        OAuthAssert.Active(await scene.Server.OAuth.IntrospectAsync(newToken, scene.Client));
        Assert.Equal("revoked", Status(await scene.KeysListAsync(), oldKid));
    }

    [Fact]
    public async Task Keys_RotateWithDefaultPrePublish_PublishesNewKidAtOnceButOldKeyKeepsSigning()
    {
        // SPEC 6: a new key is in the JWKS before it signs. The CLI here runs with the default
        // pre-publication time (one day), so the new key must be published and pending, not signing.
        await using var scene = await RotationScene.StartAsync();
        var (_, oldKid) = await scene.MintAsync();

        var rotated = await scene.Cli("keys", "rotate", "--json");
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        using var document = JsonDocument.Parse(rotated.Stdout);
        var newKid = OAuthAssert.StringProperty(document.RootElement, "kid");

        await Eventually.Within(TimeSpan.FromSeconds(1), scene.JwksKidsAsync, kids => kids.Contains(newKid),
            "a rotated key is published within a second");
        Assert.Equal(oldKid, (await scene.MintAsync()).Kid);
        Assert.Equal("pending", Status(await scene.KeysListAsync(), newKid));
    }

    [Fact]
    public async Task Keys_RotateJson_PrintsOneObjectForTheNewEs256Key()
    {
        await using var scene = await RotationScene.StartAsync();
        var (_, oldKid) = await scene.MintAsync();

        var result = await scene.CliWithServerSettings("keys", "rotate", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var json = document.RootElement;
        Assert.True(json.ValueKind == JsonValueKind.Object, $"contract: keys rotate --json -> {{\"kid\",\"alg\",\"activates_at\"}}\n{result}");
        var newKid = OAuthAssert.StringProperty(json, "kid");
        Assert.NotEqual(oldKid, newKid);
        Assert.Equal("ES256", OAuthAssert.StringProperty(json, "alg"));
        Assert.True(DateTimeOffset.TryParse(OAuthAssert.StringProperty(json, "activates_at"), out _), result.ToString());
        Assert.Contains(newKid, (await scene.KeysListAsync()).Select(k => OAuthAssert.StringProperty(k, "kid")));
    }

    [Fact]
    public async Task Keys_RevokeSigningKey_AFreshKeySignsNotAnOlderOne()
    {
        await using var scene = await RotationScene.StartAsync();
        var (_, firstKid) = await scene.MintAsync();
        var secondKid = await scene.RotateAsync(firstKid);

        var revoked = await scene.CliWithServerSettings("keys", "revoke", secondKid);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());

        var (_, signingKid) = await Eventually.Within(TimeSpan.FromSeconds(1), scene.MintAsync, minted => minted.Kid != secondKid,
            "tokens stop being signed with the revoked key");
        Assert.NotEqual(firstKid, signingKid); // the retired key must not come back to sign
        Assert.Equal("active", Status(await scene.KeysListAsync(), signingKid));
        Assert.Equal("retired", Status(await scene.KeysListAsync(), firstKid));
    }

    [Fact]
    public async Task Keys_RotateWithAnotherRootKey_FailsAndWritesNothing()
    {
        await using var scene = await RotationScene.StartAsync();
        var before = await scene.KeysListAsync();

        var other = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var rotated = await scene.Cli("keys", "rotate", $"--Gatehouse:KeyEncryptionKey={other}");

        Assert.True(rotated.ExitCode != 0, rotated.ToString());
        Assert.Contains("KeyEncryptionKey", rotated.Stderr);
        Assert.Equal(before.Length, (await scene.KeysListAsync()).Length);
    }

    [Fact]
    public async Task Keys_RevokeUnknownKid_FailsWithOneLineError()
    {
        using var directory = new ScratchDirectory();

        var result = await GatehouseCli.RunAsync(directory.Path, "keys", "revoke", "no-such-kid");

        Assert.True(result.ExitCode != 0, result.ToString());
        var stderr = result.Stderr.TrimEnd('\r', '\n');
        Assert.True(stderr.Length > 0 && !stderr.Contains('\n'), result.ToString());
    }
}
