<?php

declare(strict_types=1);

namespace Gatehouse\Discovery;

/** @internal Which URLs may carry credentials: https anywhere, plain http only to this machine. */
final class Authority
{
    public static function isSecureOrLoopback(string $url): bool
    {
        $parts = parse_url($url);
        if ($parts === false || !isset($parts['scheme'], $parts['host'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        if ($scheme === 'https') {
            return true;
        }
        $host = strtolower(trim($parts['host'], '[]'));
        return $scheme === 'http' && ($host === 'localhost' || $host === '::1' || str_starts_with($host, '127.'));
    }
}
