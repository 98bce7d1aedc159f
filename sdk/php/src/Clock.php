<?php

declare(strict_types=1);

namespace Gatehouse;

/**
 * Time as Unix seconds. Wraps any PSR-20-style clock (an object with now(): DateTimeImmutable), so tests can
 * move time forward instead of sleeping through a token's lifetime.
 *
 * @internal
 */
final class Clock
{
    public function __construct(private readonly ?object $clock = null)
    {
        if ($clock !== null && !method_exists($clock, 'now')) {
            throw new \InvalidArgumentException("The 'clock' option needs a now(): DateTimeImmutable method (PSR-20).");
        }
    }

    public function now(): float
    {
        return $this->clock === null ? microtime(true) : (float) $this->clock->now()->format('U.u');
    }

    public function sleep(float $seconds): void
    {
        if ($seconds > 0) {
            usleep((int) round($seconds * 1_000_000));
        }
    }
}
