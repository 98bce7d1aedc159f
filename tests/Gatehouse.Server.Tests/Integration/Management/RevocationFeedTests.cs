using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class RevocationFeedFixture : ManagementFixture
{
    public CreatedClient Owner { get; private set; } = null!;
    public CreatedClient Reader { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        Owner = await CreateClientAsync("feed-owner");
        Reader = await CreateClientAsync("feed-reader", resourceServer: true);
    }
}

/// Issue 3 and contract notes "Revocation feed": GET /oauth/revocations?since=CURSOR, ordered and resumable,
/// single tokens by jti with their exp and client-wide cut-offs, for resource servers authenticated as clients.
public sealed class RevocationFeedTests(RevocationFeedFixture fixture) : IClassFixture<RevocationFeedFixture>
{
    ManagementTestClient Api => fixture.Api;
    OAuthTestClient OAuth => fixture.OAuth;

    internal static JsonElement[] AssertFeedPage(OAuthResponse response, out string cursor) =>
        AssertFeedPage(response, out cursor, hasMore: false);

    internal static JsonElement[] AssertFeedPage(OAuthResponse response, out string cursor, bool hasMore)
    {
        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, "cursor", "has_more", "revocations");
        cursor = OAuthAssert.StringProperty(response.Json, "cursor");
        Assert.True(long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out _), $"cursor is not a decimal number:\n{response}");
        Assert.Equal(hasMore ? JsonValueKind.True : JsonValueKind.False, OAuthAssert.Property(response.Json, "has_more").ValueKind);
        var entries = OAuthAssert.Property(response.Json, "revocations").EnumerateArray().ToArray();
        foreach (var entry in entries)
        {
            switch (OAuthAssert.StringProperty(entry, "type"))
            {
                case "token":
                    ManagementAssert.ExactProperties(entry, "type", "jti", "client_id", "exp");
                    OAuthAssert.StringProperty(entry, "jti");
                    OAuthAssert.NumberProperty(entry, "exp");
                    break;
                case "client":
                    ManagementAssert.ExactProperties(entry, "type", "client_id", "revoked_before_us");
                    OAuthAssert.NumberProperty(entry, "revoked_before_us");
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"Unknown revocation type in:\n{entry}");
            }
            OAuthAssert.StringProperty(entry, "client_id");
        }
        return entries;
    }

    internal static void AssertTokenEntry(JsonElement entry, string token)
    {
        var payload = TestJwt.Parse(token).Payload;
        Assert.Equal("token", entry.GetProperty("type").GetString());
        Assert.Equal(OAuthAssert.StringProperty(payload, "jti"), entry.GetProperty("jti").GetString());
        Assert.Equal(OAuthAssert.StringProperty(payload, "client_id"), entry.GetProperty("client_id").GetString());
        Assert.Equal(OAuthAssert.NumberProperty(payload, "exp"), entry.GetProperty("exp").GetInt64());
    }

    internal static void AssertClientEntry(JsonElement entry, string clientId, long revokedBeforeUs)
    {
        Assert.Equal("client", entry.GetProperty("type").GetString());
        Assert.Equal(clientId, entry.GetProperty("client_id").GetString());
        Assert.Equal(revokedBeforeUs, entry.GetProperty("revoked_before_us").GetInt64());
    }

    /// Reads the feed from <paramref name="since"/> (omitted: from the start) to its end, page by page.
    async Task<(List<JsonElement> Entries, string Cursor, List<string> Bodies)> ReadToEndAsync(string? since)
    {
        var entries = new List<JsonElement>();
        var bodies = new List<string>();
        var cursor = since;
        for (var page = 0; page < 100; page++)
        {
            var response = await Api.RevocationFeedAsync(fixture.Reader, cursor);
            var hasMore = response.Status == HttpStatusCode.OK && OAuthAssert.Property(response.Json, "has_more").ValueKind == JsonValueKind.True;
            entries.AddRange(AssertFeedPage(response, out var next, hasMore));
            bodies.Add(response.Body);
            cursor = next;
            if (!hasMore) return (entries, next, bodies);
        }
        throw new Xunit.Sdk.XunitException("The feed did not end within 100 pages.");
    }

    async Task<string> CurrentCursorAsync() => (await ReadToEndAsync(null)).Cursor;

    /// As the client itself, or (for the many cut-offs of the paging test, past the self-service limit) as the operator.
    async Task<long> RevokeAllAsync(CreatedClient client, bool asOperator = false)
    {
        var response = await Api.DeleteAsync(ManagementPaths.Tokens(client.ClientId),
            asOperator ? Api.OperatorAuthorization : OAuthTestClient.Basic(client.ClientId, client.ClientSecret));
        ManagementAssert.Json(HttpStatusCode.OK, response);
        return OAuthAssert.NumberProperty(response.Json, "revoked_before_us");
    }

    [Fact]
    public async Task Feed_TokenAndClientRevocations_AppearInOrderWithTheContractShapes()
    {
        var start = await CurrentCursorAsync();
        var first = await OAuth.GetAccessTokenAsync(fixture.Owner);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(first, fixture.Owner));
        var cutOff = await RevokeAllAsync(fixture.Owner);
        var last = await OAuth.GetAccessTokenAsync(fixture.Owner);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(last, fixture.Owner));

        var response = await Api.RevocationFeedAsync(fixture.Reader, start);

        var entries = AssertFeedPage(response, out var cursor);
        Assert.Equal(3, entries.Length);
        AssertTokenEntry(entries[0], first);
        AssertClientEntry(entries[1], fixture.Owner.ClientId, cutOff);
        AssertTokenEntry(entries[2], last);
        Assert.True(long.Parse(cursor, CultureInfo.InvariantCulture) > long.Parse(start, CultureInfo.InvariantCulture));

        // Nothing after the end.
        var end = AssertFeedPage(await Api.RevocationFeedAsync(fixture.Reader, cursor), out var cursorAtEnd);
        Assert.Empty(end);
        Assert.Equal(cursor, cursorAtEnd);
    }

    [Fact]
    public async Task Feed_SinceCursor_ReturnsOnlyNewerEntries()
    {
        var first = await OAuth.GetAccessTokenAsync(fixture.Owner);
        var second = await OAuth.GetAccessTokenAsync(fixture.Owner);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(first, fixture.Owner));
        var afterFirst = await CurrentCursorAsync();
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(second, fixture.Owner));

        var entries = AssertFeedPage(await Api.RevocationFeedAsync(fixture.Reader, afterFirst), out _);

        AssertTokenEntry(Assert.Single(entries), second);
    }

    [Fact]
    public async Task Feed_SinceOmittedOrZero_ReturnsEveryEntryThatStillMatters()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Owner);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(token, fixture.Owner));
        var cutOff = await RevokeAllAsync(fixture.Owner);

        var omitted = await ReadToEndAsync(null);
        var zero = await ReadToEndAsync("0");

        Assert.Equal(omitted.Bodies, zero.Bodies);
        var entries = omitted.Entries;
        var jti = OAuthAssert.StringProperty(TestJwt.Parse(token).Payload, "jti");
        Assert.Contains(entries, e => e.GetProperty("type").GetString() == "token" && e.GetProperty("jti").GetString() == jti);
        Assert.Contains(entries, e => e.GetProperty("type").GetString() == "client" && e.GetProperty("revoked_before_us").GetInt64() == cutOff);
    }

    /// The operator's revoke-all reaches resource servers as a client entry with the same cut-off.
    [Fact]
    public async Task Feed_OperatorRevokeAll_AppearsAsClientEntry()
    {
        var start = await CurrentCursorAsync();

        var response = await Api.DeleteAsync(ManagementPaths.Tokens(fixture.Owner.ClientId));

        var cutOff = OAuthAssert.NumberProperty(response.Json, "revoked_before_us");
        var entries = AssertFeedPage(await Api.RevocationFeedAsync(fixture.Reader, start), out _);
        AssertClientEntry(Assert.Single(entries), fixture.Owner.ClientId, cutOff);
    }

    /// A deleted client's tokens must stop working at resource servers too, which only follow the feed.
    [Fact]
    public async Task Feed_ClientDeleted_AppearsAsClientEntryCoveringItsTokens()
    {
        var doomed = await Api.RegisterAsync("to be deleted", scope: "decisions:read");
        var token = await Api.OAuth.GetAccessTokenAsync(doomed);
        var start = await CurrentCursorAsync();

        OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.Client(doomed.ClientId)));

        var entries = AssertFeedPage(await Api.RevocationFeedAsync(fixture.Reader, start), out _);
        var entry = Assert.Single(entries);
        Assert.Equal("client", entry.GetProperty("type").GetString());
        Assert.Equal(doomed.ClientId, entry.GetProperty("client_id").GetString());
        Assert.True(entry.GetProperty("revoked_before_us").GetInt64() > OAuthAssert.NumberProperty(TestJwt.Parse(token).Payload, "iat_us"));
    }

    /// Contract notes: "has_more: true means call again at once" — and the next page carries on exactly where
    /// the last one stopped. More than one page's worth of cut-offs, made by eight callers at once.
    [Fact]
    public async Task Feed_MoreThanOnePage_HasMoreAndResumesWithoutGapsOrRepeats()
    {
        const int revocations = 1_050;
        var client = await Api.RegisterAsync("feed-paging", scope: "decisions:read");
        var start = await CurrentCursorAsync();
        var cutOffs = new System.Collections.Concurrent.ConcurrentBag<long>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < revocations) cutOffs.Add(await RevokeAllAsync(client, asOperator: true));
        })));

        var read = new List<JsonElement>();
        var cursor = start;
        var pages = 0;
        while (true)
        {
            var response = await Api.RevocationFeedAsync(fixture.Reader, cursor);
            var hasMore = OAuthAssert.Property(response.Json, "has_more").ValueKind == JsonValueKind.True;
            var entries = AssertFeedPage(response, out var nextCursor, hasMore);
            pages++;
            read.AddRange(entries);
            Assert.True(long.Parse(nextCursor, CultureInfo.InvariantCulture) >= long.Parse(cursor, CultureInfo.InvariantCulture));
            cursor = nextCursor;
            if (!hasMore) break;
            Assert.NotEmpty(entries);
            Assert.True(pages < 10, "The feed did not end within 10 pages.");
        }

        Assert.True(pages >= 2, $"{revocations} entries fitted in one page; has_more was never true.");
        Assert.All(read, e => AssertClientEntry(e, client.ClientId, e.GetProperty("revoked_before_us").GetInt64()));
        Assert.Equal(cutOffs.Order(), read.Select(e => e.GetProperty("revoked_before_us").GetInt64()).Order());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wrong secret")]
    [InlineData("operator bearer token")]
    public async Task Feed_WithoutClientAuthentication_Returns401InvalidClient(string credentials)
    {
        var authorization = credentials switch
        {
            "none" => null,
            "wrong secret" => OAuthTestClient.Basic(fixture.Reader.ClientId, fixture.Owner.ClientSecret),
            _ => Api.OperatorAuthorization,
        };

        var response = await Api.SendRawAsync(HttpMethod.Get, ManagementPaths.Revocations, authorization);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        Assert.DoesNotContain("revocations", response.Body);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("99999999999999999999999")]
    [InlineData("0&since=1")]
    public async Task Feed_BadSince_Returns400InvalidRequest(string since)
    {
        var response = await Api.GetAsync($"{ManagementPaths.Revocations}?since={since}",
            OAuthTestClient.Basic(fixture.Reader.ClientId, fixture.Reader.ClientSecret));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
    }
}

/// A server whose tokens live 2 s (clock skew 1 s), so the feed's entries run out within the test.
public sealed class ShortLivedTokensFixture : GatehouseFixture
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(1);

    public CreatedClient Owner { get; private set; } = null!;
    public CreatedClient Reader { get; private set; } = null!;
    public CreatedClient Operator { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
        ["Gatehouse:Tokens:AccessTokenLifetime"] = "00:00:02",
        ["Gatehouse:Keys:ClockSkew"] = "00:00:01",
    };

    protected override async Task SeedAsync()
    {
        Owner = await CreateClientAsync("short-owner");
        Reader = await CreateClientAsync("short-reader", resourceServer: true);
        Operator = await CreateClientAsync("short-operator", scope: ManagementTestClient.OperatorScope);
    }
}

/// Contract notes: an expired operator token is refused like any invalid one, 401 invalid_token.
public sealed class ExpiredOperatorTokenTests(ShortLivedTokensFixture fixture) : IClassFixture<ShortLivedTokensFixture>
{
    [Fact]
    public async Task Management_ExpiredOperatorToken_Returns401InvalidToken()
    {
        var api = await ManagementTestClient.CreateAsync(fixture.Server, fixture.Operator);
        var exp = DateTimeOffset.FromUnixTimeSeconds(OAuthAssert.NumberProperty(TestJwt.Parse(api.OperatorToken).Payload, "exp"));
        ManagementAssert.Json(HttpStatusCode.OK, await api.GetAsync(ManagementPaths.Clients));

        var refused = await Eventually.Within(exp - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5),
            () => api.GetAsync(ManagementPaths.Clients), r => r.Status != HttpStatusCode.OK, "the operator token expires",
            TimeSpan.FromMilliseconds(100));

        Assert.True(DateTimeOffset.UtcNow >= exp - TimeSpan.FromMilliseconds(100), $"Refused before exp {exp:O}:\n{refused}");
        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token", refused);
        Assert.Contains(refused.Headers.WwwAuthenticate, c => c.Scheme == "Bearer" && (c.Parameter ?? "").Contains("error=\"invalid_token\""));
    }
}

/// Issue 3: "entries disappear once they can no longer matter" — and not before: a token entry stays until
/// the token's exp, a client cut-off until every token it covers has expired.
public sealed class RevocationFeedExpiryTests(ShortLivedTokensFixture fixture) : IClassFixture<ShortLivedTokensFixture>
{
    [Fact]
    public async Task Feed_EntriesPastTheirTokensExpiry_Disappear()
    {
        var oauth = fixture.OAuth;
        var reader = OAuthTestClient.Basic(fixture.Reader.ClientId, fixture.Reader.ClientSecret);
        var token = await oauth.GetAccessTokenAsync(fixture.Owner);
        var exp = DateTimeOffset.FromUnixTimeSeconds(OAuthAssert.NumberProperty(TestJwt.Parse(token).Payload, "exp"));
        var jti = OAuthAssert.StringProperty(TestJwt.Parse(token).Payload, "jti");
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RevokeAsync(token, fixture.Owner));
        var revokeAll = await oauth.SendAsync(new HttpRequestMessage(HttpMethod.Delete, ManagementPaths.Tokens(fixture.Owner.ClientId))
        {
            Headers = { Authorization = OAuthTestClient.Basic(fixture.Owner.ClientId, fixture.Owner.ClientSecret) },
        });
        ManagementAssert.Json(HttpStatusCode.OK, revokeAll);
        var cutOff = OAuthAssert.NumberProperty(revokeAll.Json, "revoked_before_us");
        // The last token the cut-off covers expires at most one lifetime after it.
        var lastCoveredExpiry = DateTimeOffset.UnixEpoch.AddTicks(cutOff * 10) + ShortLivedTokensFixture.Lifetime;

        var initial = RevocationFeedTests.AssertFeedPage(await oauth.GetAsync(ManagementPaths.Revocations, r => r.Headers.Authorization = reader), out var firstCursor);
        Assert.Contains(initial, e => e.GetProperty("type").GetString() == "token" && e.GetProperty("jti").GetString() == jti);
        Assert.Contains(initial, e => e.GetProperty("type").GetString() == "client" && e.GetProperty("revoked_before_us").GetInt64() == cutOff);

        DateTimeOffset? tokenGoneAt = null, clientGoneAt = null;
        var clock = Stopwatch.StartNew();
        var bound = TimeSpan.FromSeconds(7);
        string cursor = firstCursor;
        while ((tokenGoneAt is null || clientGoneAt is null) && clock.Elapsed < bound)
        {
            await Task.Delay(100);
            var response = await oauth.GetAsync(ManagementPaths.Revocations, r => r.Headers.Authorization = reader);
            var now = DateTimeOffset.UtcNow;
            var entries = RevocationFeedTests.AssertFeedPage(response, out cursor);
            if (tokenGoneAt is null && !entries.Any(e => e.GetProperty("type").GetString() == "token" && e.GetProperty("jti").GetString() == jti))
                tokenGoneAt = now;
            if (clientGoneAt is null && !entries.Any(e => e.GetProperty("type").GetString() == "client" && e.GetProperty("revoked_before_us").GetInt64() == cutOff))
                clientGoneAt = now;
        }

        Assert.True(tokenGoneAt is not null, $"The token entry was still in the feed {bound.TotalSeconds} s after its exp {exp:O}.");
        Assert.True(clientGoneAt is not null, $"The client entry was still in the feed {bound.TotalSeconds} s after its cut-off.");
        // Not before they stopped mattering (100 ms of slack for the two clocks' reading).
        // A resource server accepts a token until exp plus its clock skew, so the entry must outlive exp by the skew.
        Assert.True(tokenGoneAt >= exp + ShortLivedTokensFixture.ClockSkew - TimeSpan.FromMilliseconds(100),
            $"The token entry left at {tokenGoneAt:O}, before the token's exp {exp:O} plus the clock skew.");
        Assert.True(clientGoneAt >= lastCoveredExpiry - TimeSpan.FromMilliseconds(100),
            $"The client entry left at {clientGoneAt:O}, before the last token it covers expired ({lastCoveredExpiry:O}).");
        // And promptly: at most a second and a half after (the skew plus polling).
        Assert.True(tokenGoneAt <= exp + ShortLivedTokensFixture.ClockSkew + TimeSpan.FromSeconds(1.5), $"The token entry left only at {tokenGoneAt:O}; exp was {exp:O}.");
        Assert.True(clientGoneAt <= lastCoveredExpiry + ShortLivedTokensFixture.ClockSkew + TimeSpan.FromSeconds(1.5),
            $"The client entry left only at {clientGoneAt:O}; the last covered token expired at {lastCoveredExpiry:O}.");
        // The cursor never goes backwards, so a resource server resuming from it misses nothing.
        Assert.True(long.Parse(cursor, CultureInfo.InvariantCulture) >= long.Parse(firstCursor, CultureInfo.InvariantCulture));
    }
}
