<?php

declare(strict_types=1);

namespace Gatehouse\Discovery;

/** @internal The parts of the RFC 8414 document the client uses, and when to read it again. */
final class ServerMetadata
{
    public function __construct(
        public readonly string $issuer,
        public readonly string $tokenEndpoint,
        public readonly float $refreshAt,
    ) {
    }

    public function until(float $refreshAt): self
    {
        return new self($this->issuer, $this->tokenEndpoint, $refreshAt);
    }
}
