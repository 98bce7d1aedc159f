<?php

declare(strict_types=1);

namespace Gatehouse;

/**
 * No token could be obtained. $error is the OAuth error code from the server (invalid_scope, rate_limited,
 * temporarily_unavailable...) or one of the client's own: discovery_failed, server_unreachable, invalid_response.
 */
class TokenException extends \RuntimeException
{
    public function __construct(
        public readonly string $error,
        string $message,
        /** The token endpoint's HTTP status, when it answered. */
        public readonly ?int $status = null,
        /** The server's error_description, if any. */
        public readonly ?string $description = null,
        /** Seconds the server asked to wait (429/503), when that was longer than the client may wait. */
        public readonly ?float $retryAfter = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $status ?? 0, $previous);
    }

    public function isInvalidClient(): bool
    {
        return $this->error === 'invalid_client';
    }
}
