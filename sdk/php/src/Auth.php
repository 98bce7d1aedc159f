<?php

declare(strict_types=1);

namespace Gatehouse;

use Gatehouse\Cache\SharedStore;
use Gatehouse\Diagnostics\Log;
use Gatehouse\Discovery\DiscoveryCache;
use Gatehouse\Tokens\TokenEndpointClient;
use Gatehouse\Tokens\TokenFailure;

/**
 * Keeps one access token ready: in this process's memory, and in the shared cache when there is one, so every
 * PHP-FPM worker of the application uses the same token. PHP has no background timer, so the refresh at 90% of
 * the lifetime happens on the first call past that point; while one worker refreshes, the others keep using the
 * current token, which is still good for at least a minute (or a tenth of a short lifetime).
 */
final class Auth
{
    // After invalid_client the same credentials cannot succeed; asking again would only feed the
    // server's failed-authentication throttle, which blocks the whole address.
    private const INVALID_CLIENT_QUIET_SECONDS = 300;
    private const MAX_BACKOFF_WITHOUT_RETRY_AFTER = 8.0;
    // An API that refuses even the token renewed for it moments ago (wrong audience, skewed clock) would
    // otherwise make every call mint a token; renew at most this often for it.
    private const RENEWAL_QUIET_SECONDS = 30.0;
    private const LOCK_POLL_SECONDS = 0.02;

    private ?Token $current = null;
    /** @var array<string, true> tokens an API refused: never adopted again from the shared cache */
    private array $rejected = [];
    private bool $renewalForced = false;
    /** @var array{0: string, 1: float}|null the token minted because an API refused its predecessor, and when */
    private ?array $forcedRenewal = null;
    private float $notBefore = 0.0;
    private ?array $invalidClient = null;

    /** @internal Built by Client. */
    public function __construct(
        private readonly ClientOptions $options,
        private readonly DiscoveryCache $discovery,
        private readonly TokenEndpointClient $tokenEndpoint,
        private readonly ?SharedStore $shared,
        private readonly Clock $clock,
        private readonly Log $log,
    ) {
    }

    /**
     * The bearer string to send in Authorization: Bearer …
     *
     * @throws InvalidClientException the credentials were refused: fix them, do not retry
     * @throws TokenException no token could be had (see ->error)
     */
    public function accessToken(): string
    {
        return $this->token()->accessToken;
    }

    /** The token with its scope and expiry. Same exceptions as accessToken(). */
    public function token(): Token
    {
        $now = $this->clock->now();
        if ($this->current !== null && $now < $this->current->refreshAt) {
            return $this->current;
        }
        $shared = $this->sharedToken();
        if ($shared !== null && $now < $shared->refreshAt) {
            return $this->current = $shared; // another worker's token
        }
        $usable = null;
        foreach ([$this->current, $shared] as $candidate) {
            if ($candidate !== null && $now < $candidate->usableUntil && ($usable === null || $candidate->expiresAt > $usable->expiresAt)) {
                $usable = $candidate;
            }
        }
        return $usable !== null ? $this->refreshAhead($usable) : $this->acquire();
    }

    /**
     * Forgets $accessToken (an API answered invalid_token), here and in the shared cache, so the next call gets a
     * new one. Leaves a newer token another worker cached in place.
     */
    public function invalidate(string $accessToken): void
    {
        $this->rejected[$accessToken] = true;
        if ($this->current?->accessToken === $accessToken) {
            $this->current = null;
            $this->renewalForced = true;
        }
        $this->shared?->removeTokenIf($accessToken);
    }

    /** @internal True when $accessToken is the renewal an earlier invalid_token forced, less than 30 s ago (in any worker). */
    public function isRecentForcedRenewal(string $accessToken): bool
    {
        if ($this->forcedRenewal !== null && $this->forcedRenewal[0] === $accessToken
            && $this->clock->now() - $this->forcedRenewal[1] < self::RENEWAL_QUIET_SECONDS) {
            return true;
        }
        return $this->shared?->isRecentForcedRenewal($accessToken) ?? false;
    }

    /** Past the refresh point with a token that still works: one worker refreshes, and nobody waits for it. */
    private function refreshAhead(Token $usable): Token
    {
        $now = $this->clock->now();
        if ($now < $this->notBefore() || ($this->shared !== null && !$this->shared->tryLock())) {
            return $this->current = $usable;
        }
        try {
            $latest = $this->sharedToken();
            if ($latest !== null && $latest->accessToken !== $usable->accessToken && $now < $latest->refreshAt) {
                return $this->current = $latest; // refreshed by the worker that held the lock just before us
            }
            try {
                return $this->minted($this->requestWithBackoff(maxAttempts: 1));
            } catch (TokenException $e) {
                // Try again halfway to the end of the current token (between 1 and 30 s), or after Retry-After.
                $left = $usable->usableUntil - $now;
                $this->holdBack($now + ($e->retryAfter ?? max(1.0, min(30.0, $left / 2))), $now);
                $this->log->refreshFailedKeepingToken($this->options->clientId, $e->error, $left);
                return $this->current = $usable;
            }
        } finally {
            $this->shared?->unlock();
        }
    }

    /** No usable token: the one worker holding the lock requests it, the others wait for it to appear in the cache. */
    private function acquire(): Token
    {
        if ($this->shared === null) {
            return $this->minted($this->requestWithBackoff($this->options->maxTokenRequestAttempts));
        }
        $giveUpAt = microtime(true) + SharedStore::LOCK_SECONDS + 1;
        while (!$this->shared->tryLock()) {
            $this->clock->sleep(self::LOCK_POLL_SECONDS);
            $latest = $this->sharedToken();
            if ($latest !== null && $this->clock->now() < $latest->usableUntil) {
                return $this->current = $latest;
            }
            $this->throwIfRefused();
            if (microtime(true) > $giveUpAt) {
                break; // the lock's holder is stuck; its lock expires soon anyway
            }
        }
        try {
            $latest = $this->sharedToken();
            if ($latest !== null && $this->clock->now() < $latest->usableUntil) {
                return $this->current = $latest;
            }
            return $this->minted($this->requestWithBackoff($this->options->maxTokenRequestAttempts));
        } finally {
            $this->shared->unlock();
        }
    }

    private function requestWithBackoff(int $maxAttempts): Token
    {
        $this->throwIfRefused();
        $failure = null;
        for ($attempt = 1; $attempt <= $maxAttempts; $attempt++) {
            $this->waitForRetryAfter($failure);
            $result = $this->tokenEndpoint->request($this->discovery->get()->tokenEndpoint);
            if ($result instanceof Token) {
                return $result;
            }
            $failure = $result;
            $now = $this->clock->now();
            // Retry-After binds this client, not only this call's next attempt: later calls (any worker) wait too.
            if ($failure->retryAfter !== null) {
                $this->holdBack($now + $failure->retryAfter, $now);
            }
            if ($failure->error === 'invalid_client') {
                $this->log->invalidClient($this->options->clientId, $failure->description);
                $this->invalidClient = [$failure->toException(), $now + self::INVALID_CLIENT_QUIET_SECONDS];
                $this->shared?->rememberRefusal($failure->description, self::INVALID_CLIENT_QUIET_SECONDS);
                throw $this->invalidClient[0];
            }
            if (!$failure->isTransient() || $attempt === $maxAttempts) {
                break;
            }
            $delay = $failure->retryAfter ?? self::backoff($attempt);
            if ($delay > $this->options->maxRetryAfter) {
                break;
            }
            // An unreachable or broken endpoint may have moved: read the metadata again before the next try.
            if ($failure->status === null || $failure->status >= 500) {
                $this->discovery->markStale();
            }
            $this->notBefore = max($this->notBefore, $now + $delay);
            $this->log->tokenRequestBackingOff($this->options->clientId, $failure->error, $failure->status, $delay);
        }
        $this->log->tokenRequestFailed($this->options->clientId, $failure->error, $failure->status);
        if ($failure->status === null || $failure->status >= 500) {
            $this->discovery->markStale();
        }
        throw $failure->toException();
    }

    private function waitForRetryAfter(?TokenFailure $previous): void
    {
        $wait = $this->notBefore() - $this->clock->now();
        if ($wait <= 0) {
            return;
        }
        if ($wait > $this->options->maxRetryAfter) {
            throw new TokenException(
                $previous?->error ?? 'rate_limited',
                sprintf('The token endpoint asked to wait %.0f s, longer than maxRetryAfter.', $wait),
                $previous?->status,
                null,
                $wait,
            );
        }
        $this->clock->sleep($wait);
    }

    private function throwIfRefused(): void
    {
        $now = $this->clock->now();
        if ($this->invalidClient !== null && $now < $this->invalidClient[1]) {
            throw $this->invalidClient[0];
        }
        $description = $this->shared?->refusal();
        if ($description !== null) {
            $this->invalidClient = [new InvalidClientException($description === '' ? null : $description, 401), $now + self::INVALID_CLIENT_QUIET_SECONDS];
            throw $this->invalidClient[0];
        }
    }

    private function minted(Token $token): Token
    {
        $this->current = $token;
        if ($this->renewalForced) {
            $this->renewalForced = false;
            $this->forcedRenewal = [$token->accessToken, $this->clock->now()];
            $this->shared?->rememberForcedRenewal($token->accessToken);
        }
        $this->shared?->storeToken($token, $this->clock->now());
        $this->log->tokenAcquired($this->options->clientId, $token->scope ?? $this->options->scopeSet, $token->expiresAt - $token->issuedAt, $token->refreshAt);
        return $token;
    }

    /** The shared cache's token, unless an API has refused it since. */
    private function sharedToken(): ?Token
    {
        $token = $this->shared?->token();
        return $token === null || isset($this->rejected[$token->accessToken]) ? null : $token;
    }

    private function notBefore(): float
    {
        return max($this->notBefore, $this->shared?->notBefore() ?? 0.0);
    }

    private function holdBack(float $until, float $now): void
    {
        $this->notBefore = max($this->notBefore, $until);
        $this->shared?->rememberNotBefore($until, $now);
    }

    // 0.5 s, 1 s, 2 s … with jitter, so workers that failed together do not retry together.
    private static function backoff(int $attempt): float
    {
        $seconds = min(0.5 * 2 ** ($attempt - 1), self::MAX_BACKOFF_WITHOUT_RETRY_AFTER);
        return $seconds * (0.8 + 0.4 * mt_rand() / mt_getrandmax());
    }
}
