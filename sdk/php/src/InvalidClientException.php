<?php

declare(strict_types=1);

namespace Gatehouse;

/**
 * Seed 002: invalid_client is a hard failure. The client id or secret is wrong (or sandbox and live are mixed);
 * retrying with the same credentials cannot succeed, so the client never retries and stays quiet for a while.
 */
final class InvalidClientException extends TokenException
{
    public function __construct(?string $description, ?int $status)
    {
        parent::__construct(
            'invalid_client',
            sprintf(
                'The authorization server rejected the client credentials (invalid_client: %s). '
                . "Check the client id and secret, and that sandbox and live are not mixed. The request is not retried.",
                $description ?? 'no description',
            ),
            $status,
            $description,
        );
    }
}
