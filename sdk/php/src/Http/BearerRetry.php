<?php

declare(strict_types=1);

namespace Gatehouse\Http;

use Gatehouse\Auth;
use Gatehouse\Clock;
use Gatehouse\Diagnostics\Log;

/**
 * Sends an API request with the current token, for any HTTP stack. Seed 002: on a 401 invalid_token, refresh
 * once and retry the original request a single time. A 429/503 with a Retry-After the client may wait out is
 * repeated after that delay (at most maxApiBackoffRetries times); without Retry-After the caller decides.
 *
 * @internal
 */
final class BearerRetry
{
    public function __construct(
        private readonly Auth $auth,
        private readonly Clock $clock,
        private readonly Log $log,
        private readonly float $maxRetryAfter,
        private readonly int $maxApiBackoffRetries,
    ) {
    }

    /**
     * @template R
     * @param callable(string): R $sendWithToken sends the request with Authorization: Bearer <the argument>
     * @param callable(R): array{0: int, 1: ?string, 2: ?string} $inspect status, WWW-Authenticate, Retry-After
     * @param bool $replayable whether the body can be sent a second time
     * @return R
     */
    public function send(string $method, string $url, bool $replayable, callable $sendWithToken, callable $inspect): mixed
    {
        $token = $this->auth->accessToken();
        $response = $sendWithToken($token);
        [$status, $challenge] = $inspect($response);

        if (BearerChallenge::isInvalidToken($status, $challenge)) {
            // The API refused even the token renewed for it moments ago: another renewal would fix nothing and
            // mint a token per call, so the caller gets the 401 as it is.
            if ($this->auth->isRecentForcedRenewal($token)) {
                $this->log->invalidTokenAfterRenewal($method, $url);
                return $response;
            }
            $this->auth->invalidate($token);
            if (!$replayable) {
                return $response;
            }
            $this->log->retryingAfterInvalidToken($method, $url);
            $token = $this->auth->accessToken();
            $response = $sendWithToken($token);
        }

        for ($retry = 0; $retry < $this->maxApiBackoffRetries; $retry++) {
            [$status, , $retryAfter] = $inspect($response);
            if ($status !== 429 && $status !== 503) {
                break;
            }
            $delay = RetryAfter::seconds($retryAfter, $this->clock->now());
            if ($delay === null || $delay > $this->maxRetryAfter || !$replayable) {
                break;
            }
            $this->log->apiBackingOff($method, $url, $status, $delay);
            $this->clock->sleep($delay);
            $response = $sendWithToken($this->auth->accessToken());
        }
        return $response;
    }
}
