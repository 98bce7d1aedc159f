<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/** @internal RFC 9110 §10.2.3: Retry-After is either delay-seconds or an HTTP-date. */
final class RetryAfter
{
    /** Seconds to wait, or null when the header is absent or unreadable. */
    public static function seconds(?string $value, float $now): ?float
    {
        if ($value === null || trim($value) === '') {
            return null;
        }
        $value = trim($value);
        if (ctype_digit($value)) {
            return (float) $value;
        }
        $date = \DateTimeImmutable::createFromFormat(\DateTimeInterface::RFC7231, $value, new \DateTimeZone('UTC'));
        if ($date === false) {
            return null;
        }
        return max(0.0, (float) $date->format('U') - $now);
    }
}
