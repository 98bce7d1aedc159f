<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/** A PSR-20-shaped clock that moves only when told, so a test can step past a refresh point without sleeping. */
final class FakeClock
{
    private float $now;

    public function __construct()
    {
        $this->now = microtime(true);
    }

    public function now(): \DateTimeImmutable
    {
        return \DateTimeImmutable::createFromFormat('U.u', sprintf('%.6F', $this->now));
    }

    public function advance(float $seconds): void
    {
        $this->now += $seconds;
    }

    public function seconds(): float
    {
        return $this->now;
    }
}
