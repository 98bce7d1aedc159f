using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gatehouse.Server.Tests.Harness;
using Xunit.Abstractions;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class SecretRotationFixture : ManagementFixture
{
    /// The partner that rotates: its rate limit raised (--rate-limit 100000) so only authentication can fail.
    public CreatedClient Rotating { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        Rotating = await CreateClientAsync("rotating", scope: "decisions:read", rateLimit: UnthrottledRateLimit);
    }
}

/// Issue 3 "Rotation with zero failed requests" and seed 002 "Rotating client secrets": under a load of token
/// requests with secret A, add B, move half the load to B, revoke A.
public sealed class SecretRotationUnderLoadTests(SecretRotationFixture fixture, ITestOutputHelper output)
    : IClassFixture<SecretRotationFixture>
{
    const int Workers = 16;
    static readonly TimeSpan Phase = TimeSpan.FromMilliseconds(800);

    sealed record Attempt(int Worker, string SecretId, long Started, long Ended, HttpStatusCode? Status, string? Error,
        string? AccessToken, string? Exception);

    [Fact]
    public async Task Rotation_UnderLoad_NoLiveSecretFailsAndTheRevokedSecretStopsAtOnce()
    {
        var whole = Stopwatch.StartNew();
        var api = fixture.Api;
        var oauth = fixture.OAuth;
        var secretA = fixture.Rotating;
        var current = Enumerable.Repeat(secretA, Workers).ToArray();
        var attempts = new ConcurrentQueue<Attempt>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // the whole load is bounded

        var load = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var credentials = Volatile.Read(ref current[worker]);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var response = await oauth.RequestTokenBasicAsync(credentials);
                    attempts.Enqueue(new Attempt(worker, credentials.SecretId, started, Stopwatch.GetTimestamp(), response.Status,
                        response.Status == HttpStatusCode.OK ? null : SafeText(response, "error"),
                        response.Status == HttpStatusCode.OK ? response.Text("access_token") : null, null));
                }
                catch (Exception e)
                {
                    attempts.Enqueue(new Attempt(worker, credentials.SecretId, started, Stopwatch.GetTimestamp(), null, null, null, e.Message));
                }
            }
        })).ToArray();

        // Phase 1: everyone on A. Then add B (operator API) and move half the load to it.
        await Task.Delay(Phase);
        var (secretBId, secretBValue) = await api.AddSecretAsync(secretA.ClientId);
        var secretB = secretA with { SecretId = secretBId, ClientSecret = secretBValue };
        for (var worker = 0; worker < Workers / 2; worker++) Volatile.Write(ref current[worker], secretB);

        // Phase 2: A and B side by side. Then revoke A; the other half keeps sending A, as a forgotten instance would.
        await Task.Delay(Phase);
        var revokeStarted = Stopwatch.GetTimestamp();
        var revoke = await api.DeleteAsync(ManagementPaths.Secret(secretA.ClientId, secretA.SecretId));
        var revokeReturned = Stopwatch.GetTimestamp();
        OAuthAssert.Status(HttpStatusCode.NoContent, revoke);

        // Phase 3: after the revocation.
        await Task.Delay(Phase);
        stop.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(15));

        var all = attempts.ToArray();
        var withA = all.Where(a => a.SecretId == secretA.SecretId).ToArray();
        var withB = all.Where(a => a.SecretId == secretB.SecretId).ToArray();
        var aWhileLive = withA.Where(a => a.Ended < revokeStarted).ToArray();
        var aAfterRevoke = withA.Where(a => a.Started > revokeReturned).ToArray();
        var aDuringRevoke = withA.Where(a => a.Ended >= revokeStarted && a.Started <= revokeReturned).ToArray();
        output.WriteLine($"{all.Length} requests: {aWhileLive.Length} with A while live, {withB.Length} with B, " +
            $"{aDuringRevoke.Length} with A overlapping the revoke call, {aAfterRevoke.Length} with A after it.");

        static string Describe(IEnumerable<Attempt> failures) =>
            string.Join('\n', failures.Take(10).Select(f => $"worker {f.Worker}: {(int?)f.Status} {f.Error} {f.Exception}"));

        // No request with a live secret failed at any moment.
        Assert.True(all.All(a => a.Exception is null), "Requests threw:\n" + Describe(all.Where(a => a.Exception is not null)));
        var failedLiveA = aWhileLive.Where(a => a.Status != HttpStatusCode.OK).ToArray();
        Assert.True(failedLiveA.Length == 0, $"{failedLiveA.Length} requests with A failed while A was live:\n{Describe(failedLiveA)}");
        var failedB = withB.Where(a => a.Status != HttpStatusCode.OK).ToArray();
        Assert.True(failedB.Length == 0, $"{failedB.Length} requests with B failed:\n{Describe(failedB)}");
        // The one call in flight while A was being revoked may go either way, but nothing else.
        var oddDuringRevoke = aDuringRevoke.Where(a => a.Status != HttpStatusCode.OK && !(a.Status == HttpStatusCode.Unauthorized && a.Error == "invalid_client")).ToArray();
        Assert.True(oddDuringRevoke.Length == 0, $"Requests with A overlapping the revocation failed otherwise than invalid_client:\n{Describe(oddDuringRevoke)}");
        // From the instant the revoke call returned, no token is minted with A.
        var mintedAfterRevoke = aAfterRevoke.Where(a => a.Status != HttpStatusCode.Unauthorized || a.Error != "invalid_client").ToArray();
        Assert.True(mintedAfterRevoke.Length == 0,
            $"{mintedAfterRevoke.Length} of {aAfterRevoke.Length} requests with A that started after the revocation returned did not get 401 invalid_client:\n{Describe(mintedAfterRevoke)}");

        // The scenario actually happened: real load on A, on B, and A hammering after the revoke.
        Assert.True(aWhileLive.Length >= Workers, $"Only {aWhileLive.Length} requests with A before the revocation.");
        Assert.True(withB.Length >= Workers / 2, $"Only {withB.Length} requests with B.");
        Assert.True(aAfterRevoke.Length >= Workers / 2, $"Only {aAfterRevoke.Length} requests with A after the revocation.");

        // Seed 002: tokens minted with A before its revocation stay valid until they expire. Check the last ones
        // minted and a spread of the others.
        var mintedWithA = withA.Where(a => a.AccessToken is not null).OrderBy(a => a.Started).ToArray();
        var sample = mintedWithA.Where((_, i) => i % Math.Max(1, mintedWithA.Length / 20) == 0).Concat(mintedWithA.TakeLast(10)).Distinct();
        foreach (var attempt in sample)
            OAuthAssert.Active(await oauth.IntrospectAsync(attempt.AccessToken!, fixture.Partner));
        OAuthAssert.Active(await oauth.IntrospectAsync(withB.Last(a => a.AccessToken is not null).AccessToken!, fixture.Partner));

        // The secrets list tells the story: A revoked, B live, both used.
        var secrets = await api.ListSecretsAsync(secretA.ClientId);
        var a = Assert.Single(secrets, s => s.GetProperty("secret_id").GetString() == secretA.SecretId);
        var b = Assert.Single(secrets, s => s.GetProperty("secret_id").GetString() == secretB.SecretId);
        Assert.NotNull(ManagementAssert.Time(a, "revoked_at"));
        Assert.NotNull(ManagementAssert.Time(a, "last_used_at"));
        Assert.Null(ManagementAssert.Time(b, "revoked_at"));
        Assert.NotNull(ManagementAssert.Time(b, "last_used_at"));

        // Diagnostic only: how many tokens minted with A carry an iat_us later than A's recorded revoked_at
        // (the server stamps revoked_at before its write and in-memory refresh complete).
        var revokedAtMs = ManagementAssert.Time(a, "revoked_at")!.Value.ToUnixTimeMilliseconds();
        var mintedAfterStamp = mintedWithA.Count(m => OAuthAssert.NumberProperty(TestJwt.Parse(m.AccessToken!).Payload, "iat_us") / 1000 > revokedAtMs);
        output.WriteLine($"Tokens minted with A after A's recorded revoked_at: {mintedAfterStamp} of {mintedWithA.Length}.");

        output.WriteLine($"Whole test: {whole.Elapsed.TotalSeconds:0.0} s.");
    }

    static string? SafeText(OAuthResponse response, string property)
    {
        try { return response.Text(property); }
        catch (Xunit.Sdk.XunitException) { return null; }
    }
}
