<?php

declare(strict_types=1);

namespace Gatehouse;

use Gatehouse\Cache\SharedStore;
use Gatehouse\Diagnostics\Log;
use Gatehouse\Discovery\DiscoveryCache;
use Gatehouse\Http\BearerRetry;
use Gatehouse\Http\CurlTransport;
use Gatehouse\Http\Response;
use Gatehouse\Http\TokenHttpClient;
use Gatehouse\Tokens\TokenEndpointClient;

/**
 * A Gatehouse client-credentials client: one per client id and scope set. Options:
 *  - authority (required): the issuer URL; every endpoint is read from its discovery document
 *  - clientId, clientSecret (required; client_id and client_secret work too)
 *  - scopes: list of scopes (empty asks for the client's full granted set); audience: e.g. partner/v1
 *  - cache: a PSR-16-style cache shared by workers (e.g. new Gatehouse\Cache\FileCache(dir)); with an add()
 *    method, a fleet of workers sends exactly one token request
 *  - logger: a PSR-3-style logger; clock: a PSR-20-style clock
 *  - timeout (30 s), maxRetryAfter (30 s), maxTokenRequestAttempts (3), maxApiBackoffRetries (2),
 *    discoveryRefreshInterval (86400 s)
 */
final class Client
{
    private readonly Auth $auth;
    private readonly CurlTransport $http;
    private readonly BearerRetry $retry;

    public function __construct(array $options)
    {
        $options = new ClientOptions($options);
        $clock = new Clock($options->clock);
        $log = new Log($options->logger);
        $this->http = new CurlTransport($options->timeout);
        $shared = $options->cache === null ? null : new SharedStore($options->cache, $options->authority,
            $options->clientId, $options->clientSecret, $options->scopeSet, $options->audience, $log);
        $discovery = new DiscoveryCache($options->authority, $options->discoveryRefreshInterval, $this->http, $clock, $log, $shared);
        $tokenEndpoint = new TokenEndpointClient($options->clientId, $options->clientSecret, $options->scopeSet,
            $options->audience, $this->http, $clock);
        $this->auth = new Auth($options, $discovery, $tokenEndpoint, $shared, $clock, $log);
        $this->retry = new BearerRetry($this->auth, $clock, $log, $options->maxRetryAfter, $options->maxApiBackoffRetries);
    }

    public function auth(): Auth
    {
        return $this->auth;
    }

    /**
     * Sends an API request with Authorization: Bearer …, retried once with a new token on 401 invalid_token and
     * after Retry-After on 429/503. Throws TokenException when no token can be had; any HTTP status is returned.
     *
     * @param array<string, string> $headers
     * @throws Http\TransportException when the API sent no response
     */
    public function send(string $method, string $url, array $headers = [], ?string $body = null): Response
    {
        return $this->retry->send($method, $url, true,
            fn (string $token): Response => $this->http->send($method, $url, ['Authorization' => 'Bearer ' . $token] + $headers, $body),
            static fn (Response $response): array => [$response->status, $response->header('WWW-Authenticate'), $response->header('Retry-After')],
        );
    }

    /** Wraps a PSR-18 client so that its sendRequest() adds the token and retries as send() does. */
    public function httpClient(object $psr18Client): TokenHttpClient
    {
        return new TokenHttpClient($psr18Client, $this->retry);
    }
}
