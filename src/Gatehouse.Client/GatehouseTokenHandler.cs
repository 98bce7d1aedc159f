using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Client.Diagnostics;
using Gatehouse.Client.Http;

namespace Gatehouse.Client;

/// <summary>
/// An <see cref="HttpClient"/> handler that sends every request with a token from a <see cref="GatehouseClient"/>.
/// On <c>401</c> with <c>error="invalid_token"</c> it drops the token, gets a new one and sends the request once
/// more (when the body can be replayed); on <c>429</c>/<c>503</c> with a <c>Retry-After</c> it waits and repeats.
/// Register it with <c>AddHttpClient&lt;T&gt;().AddGatehouseToken()</c>, or set its <see cref="DelegatingHandler.InnerHandler"/> yourself.
/// </summary>
public sealed class GatehouseTokenHandler(GatehouseClient client) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await client.GetTokenAsync(cancellationToken);
        var response = await SendWithAsync(request, token, cancellationToken);

        // Seed 002: on a 401 invalid_token, refresh once and retry the original request a single time.
        if (BearerChallenge.IsInvalidToken(response))
        {
            // The API refused even the token renewed for it moments ago: another renewal would fix nothing and
            // mint a token per call, so the caller gets the 401 as it is.
            if (client.IsRecentForcedRenewal(token))
            {
                ClientLog.InvalidTokenAfterRenewal(client.Logger, request.Method, Host(request), Path(request));
                return response;
            }
            if (!ReplayableContent.Is(request.Content))
            {
                ClientLog.InvalidTokenNotReplayable(client.Logger, request.Method, Host(request), Path(request));
                await client.InvalidateAsync(token, cancellationToken);
                return response;
            }
            ClientLog.RetryingAfterInvalidToken(client.Logger, request.Method, Host(request), Path(request));
            client.Metrics.Retry("invalid_token");
            response.Dispose();
            await client.InvalidateAsync(token, cancellationToken);
            token = await client.GetTokenAsync(cancellationToken);
            response = await SendWithAsync(request, token, cancellationToken);
        }

        for (var retry = 0; retry < client.Options.MaxApiBackoffRetries; retry++)
        {
            if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) break;
            // Without Retry-After the API gave no schedule to honour; the caller's own policy decides.
            if (RetryAfter.From(response.Headers, client.Time.GetUtcNow()) is not { } delay) break;
            if (delay > client.Options.MaxRetryAfter || !ReplayableContent.Is(request.Content)) break;
            ClientLog.ApiBackingOff(client.Logger, request.Method, Host(request), Path(request), response.StatusCode, delay);
            client.Metrics.Retry("retry_after");
            response.Dispose();
            await Task.Delay(delay, client.Time, cancellationToken);
            token = await client.GetTokenAsync(cancellationToken);
            response = await SendWithAsync(request, token, cancellationToken);
        }
        return response;
    }

    private Task<HttpResponseMessage> SendWithAsync(HttpRequestMessage request, GatehouseToken token, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return base.SendAsync(request, ct);
    }

    private static string Host(HttpRequestMessage request) => request.RequestUri?.Authority ?? "";

    // The path only: a query string may carry something sensitive.
    private static string Path(HttpRequestMessage request) => request.RequestUri?.AbsolutePath ?? "";
}
