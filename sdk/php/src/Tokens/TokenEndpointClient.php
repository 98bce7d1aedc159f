<?php

declare(strict_types=1);

namespace Gatehouse\Tokens;

use Gatehouse\Clock;
use Gatehouse\Http\ClientCredentialsHeader;
use Gatehouse\Http\CurlTransport;
use Gatehouse\Http\RetryAfter;
use Gatehouse\Http\TransportException;
use Gatehouse\Token;

/** @internal One client_credentials request (RFC 6749 §4.4) to the discovered token endpoint, answered as a token or a failure. */
final class TokenEndpointClient
{
    // RFC 6749 §5.1 makes expires_in optional; Gatehouse always sends it, and its default is one hour.
    private const DEFAULT_LIFETIME = 3600.0;

    private readonly string $credentials;

    public function __construct(
        string $clientId,
        string $clientSecret,
        private readonly string $scopeSet,
        private readonly ?string $audience,
        private readonly CurlTransport $http,
        private readonly Clock $clock,
    ) {
        $this->credentials = ClientCredentialsHeader::basic($clientId, $clientSecret);
    }

    public function request(string $tokenEndpoint): Token|TokenFailure
    {
        $form = ['grant_type' => 'client_credentials'];
        if ($this->scopeSet !== '') {
            $form['scope'] = $this->scopeSet;
        }
        if ($this->audience !== null && $this->audience !== '') {
            $form['audience'] = $this->audience;
        }
        try {
            $response = $this->http->send('POST', $tokenEndpoint, [
                'Authorization' => $this->credentials,
                'Content-Type' => 'application/x-www-form-urlencoded',
                'Accept' => 'application/json',
            ], http_build_query($form, '', '&', PHP_QUERY_RFC1738));
        } catch (TransportException $e) {
            return new TokenFailure('server_unreachable', $e->getMessage(), null, null);
        }
        $receivedAt = $this->clock->now();
        $body = $response->json();
        if ($response->status === 200) {
            return self::token($body, $receivedAt, $response->status);
        }
        $error = is_string($body['error'] ?? null) ? $body['error'] : match ($response->status) {
            // A proxy's HTML error page: the status code is all we have.
            429 => 'rate_limited',
            503 => 'temporarily_unavailable',
            401 => 'invalid_client',
            default => 'http_' . $response->status,
        };
        $description = is_string($body['error_description'] ?? null) ? $body['error_description'] : null;
        return new TokenFailure($error, $description, $response->status, RetryAfter::seconds($response->header('Retry-After'), $receivedAt));
    }

    private static function token(?array $body, float $receivedAt, int $status): Token|TokenFailure
    {
        $accessToken = $body['access_token'] ?? null;
        $tokenType = $body['token_type'] ?? null;
        if (!is_string($accessToken) || $accessToken === '' || !is_string($tokenType) || strcasecmp($tokenType, 'Bearer') !== 0) {
            return new TokenFailure('invalid_response', 'The token response has no Bearer access_token.', $status, null);
        }
        $expiresIn = $body['expires_in'] ?? null;
        $lifetime = is_int($expiresIn) && $expiresIn > 0 ? (float) $expiresIn : self::DEFAULT_LIFETIME;
        $scope = is_string($body['scope'] ?? null) ? $body['scope'] : null;
        return new Token($accessToken, $scope, $receivedAt, $receivedAt + $lifetime);
    }
}
