<?php

declare(strict_types=1);

namespace Gatehouse\Tokens;

use Gatehouse\InvalidClientException;
use Gatehouse\TokenException;

/** @internal A token request that did not produce a token, as a value: the caller decides whether to wait and retry. */
final class TokenFailure
{
    public function __construct(
        public readonly string $error,
        public readonly ?string $description,
        public readonly ?int $status,
        public readonly ?float $retryAfter,
    ) {
    }

    /** Worth another try: the server was unreachable, busy (429, 503) or broken (5xx). Never invalid_client. */
    public function isTransient(): bool
    {
        return $this->status === null || $this->status === 429 || $this->status >= 500;
    }

    public function toException(): TokenException
    {
        if ($this->error === 'invalid_client') {
            return new InvalidClientException($this->description, $this->status);
        }
        $message = "The token request failed: {$this->error}"
            . ($this->description === null ? '' : " ({$this->description})")
            . ($this->status === null ? '.' : ", HTTP {$this->status}.");
        return new TokenException($this->error, $message, $this->status, $this->description, $this->retryAfter);
    }
}
