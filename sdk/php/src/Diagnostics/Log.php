<?php

declare(strict_types=1);

namespace Gatehouse\Diagnostics;

/**
 * Every line the client logs, through any PSR-3-style logger (an object with log($level, $message, $context)).
 * Arguments are ids, scopes, hosts, paths, statuses and delays: never a secret or a token.
 *
 * @internal
 */
final class Log
{
    public function __construct(private readonly ?object $logger)
    {
        if ($logger !== null && !method_exists($logger, 'log')) {
            throw new \InvalidArgumentException("The 'logger' option needs a log(\$level, \$message, \$context) method (PSR-3).");
        }
    }

    public function discoveryFetched(string $authority, string $tokenEndpoint): void
    {
        $this->write('info', 'Discovery for {authority}: token endpoint {token_endpoint}.', ['authority' => $authority, 'token_endpoint' => $tokenEndpoint]);
    }

    public function discoveryFailedKeepingPrevious(string $authority, string $reason): void
    {
        $this->write('warning', 'Discovery for {authority} failed ({reason}); keeping the previous document.', ['authority' => $authority, 'reason' => $reason]);
    }

    public function tokenAcquired(string $clientId, string $scope, float $expiresIn, float $refreshAt): void
    {
        $this->write('debug', 'Token for client {client_id} (scope "{scope}") acquired; expires in {expires_in} s, refresh at {refresh_at}.', [
            'client_id' => $clientId, 'scope' => $scope, 'expires_in' => round($expiresIn), 'refresh_at' => gmdate('c', (int) $refreshAt),
        ]);
    }

    public function invalidClient(string $clientId, ?string $description): void
    {
        $this->write('error', 'The authorization server rejected client {client_id}: invalid_client ({description}). Not retrying.', ['client_id' => $clientId, 'description' => $description]);
    }

    public function tokenRequestBackingOff(string $clientId, string $error, ?int $status, float $delay): void
    {
        $this->write('warning', 'Token request for client {client_id} failed: {error} (HTTP {status}); retrying in {delay} s.', ['client_id' => $clientId, 'error' => $error, 'status' => $status, 'delay' => round($delay, 3)]);
    }

    public function tokenRequestFailed(string $clientId, string $error, ?int $status): void
    {
        $this->write('warning', 'Token request for client {client_id} failed: {error} (HTTP {status}).', ['client_id' => $clientId, 'error' => $error, 'status' => $status]);
    }

    public function refreshFailedKeepingToken(string $clientId, string $error, float $tokenLeft): void
    {
        $this->write('warning', 'Refreshing the token of client {client_id} failed ({error}); the current token stays in use for up to {left} s.', ['client_id' => $clientId, 'error' => $error, 'left' => round($tokenLeft)]);
    }

    public function retryingAfterInvalidToken(string $method, string $url): void
    {
        $this->write('info', '{method} {url} answered 401 invalid_token; getting a new token and retrying once.', ['method' => $method, 'url' => self::withoutQuery($url)]);
    }

    public function invalidTokenAfterRenewal(string $method, string $url): void
    {
        $this->write('warning', '{method} {url} answered 401 invalid_token to a token renewed for it less than 30 s ago; returning the 401 without renewing again.', ['method' => $method, 'url' => self::withoutQuery($url)]);
    }

    public function apiBackingOff(string $method, string $url, int $status, float $delay): void
    {
        $this->write('info', '{method} {url} answered {status}; retrying after {delay} s as Retry-After asks.', ['method' => $method, 'url' => self::withoutQuery($url), 'status' => $status, 'delay' => round($delay, 3)]);
    }

    public function sharedCacheFailed(\Throwable $error): void
    {
        // The exception's class only: a cache client's message may echo the value it failed to write.
        $this->write('warning', 'The shared token cache failed ({error}); continuing without it.', ['error' => $error::class]);
    }

    public function cachedTokenUnreadable(): void
    {
        $this->write('debug', 'A cached token could not be decrypted (the client secret changed?); ignoring it.', []);
    }

    private function write(string $level, string $message, array $context): void
    {
        if ($this->logger === null) {
            return;
        }
        try {
            $this->logger->log($level, $message, $context);
        } catch (\Throwable) {
            // A broken logger must not break token acquisition.
        }
    }

    // A query string may carry something sensitive.
    private static function withoutQuery(string $url): string
    {
        $cut = strcspn($url, '?#');
        return substr($url, 0, $cut);
    }
}
