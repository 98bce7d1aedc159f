using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.ResourceServer.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Gatehouse.ResourceServer.Revocation;

/// Polls GET /oauth/revocations (docs/contract-notes.md) so revoked tokens are refused within about one poll
/// interval, with no call to the authority on the request path.
internal sealed class RevocationFeedFollower(GatehouseScheme scheme) : BackgroundService
{
    private static readonly TimeSpan UnavailableRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = scheme.Options;
        if (!options.FollowRevocations || !options.HasCredentials)
        {
            if (options.FollowRevocations) ResourceServerLog.RevocationFeedOff(scheme.Logger, scheme.Name);
            scheme.Revocations.MarkSynced();
            return;
        }
        var credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            WebUtility.UrlEncode(options.ClientId) + ":" + WebUtility.UrlEncode(options.ClientSecret)))); // RFC 6749 §2.3.1
        var url = $"{options.NormalizedAuthority}/oauth/revocations";
        var cursor = "0";
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}?since={Uri.EscapeDataString(cursor)}");
                request.Headers.Authorization = credentials;
                using var response = await scheme.Backchannel.SendAsync(request, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(stoppingToken));
                    var page = RevocationFeedPage.Parse(document.RootElement);
                    scheme.Revocations.Apply(page.Entries);
                    cursor = page.Cursor;
                    failures = 0;
                    scheme.Metrics.FeedPoll("success");
                    if (page.Entries.Count > 0) ResourceServerLog.RevocationsApplied(scheme.Logger, page.Entries.Count, cursor);
                    if (!page.HasMore) scheme.Revocations.MarkSynced();
                    delay = page.HasMore ? TimeSpan.Zero : options.RevocationPollInterval;
                }
                else
                {
                    scheme.Metrics.FeedPoll("http_" + (int)response.StatusCode);
                    delay = response.StatusCode switch
                    {
                        // Honoured up to the longest failure back-off: waiting out an hour-long Retry-After would
                        // leave revoked tokens accepted for that hour.
                        HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable =>
                            Min(response.Headers.RetryAfter?.Delta ?? Backoff(++failures, options.RevocationPollInterval), MaxFailureBackoff),
                        // No feed on this server, or our credentials are wrong: nothing changes soon.
                        HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => UnavailableRetry,
                        _ => Backoff(++failures, options.RevocationPollInterval),
                    };
                    ResourceServerLog.RevocationFeedRefused(scheme.Logger, url, (int)response.StatusCode, delay);
                    // Requests waiting for the first sync should not wait on a feed that is not there.
                    scheme.Revocations.MarkSynced();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever a page holds costs a retry, never the loop: a faulted BackgroundService stops
                // following revocations for good (and by default stops the host).
                scheme.Metrics.FeedPoll("failure");
                delay = Backoff(++failures, options.RevocationPollInterval);
                ResourceServerLog.RevocationFeedFailed(scheme.Logger, url, e.GetType().Name + ": " + e.Message, delay);
                scheme.Revocations.MarkSynced();
            }
            try
            {
                if (delay > TimeSpan.Zero) await Task.Delay(delay, scheme.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Backoff(int failures, TimeSpan interval) =>
        TimeSpan.FromTicks(Math.Min(interval.Ticks * (1L << Math.Min(failures, 10)), MaxFailureBackoff.Ticks));
}
