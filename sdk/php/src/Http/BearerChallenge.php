<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/** @internal Reads the error code of a Bearer challenge (RFC 6750 §3): WWW-Authenticate: Bearer error="invalid_token", … */
final class BearerChallenge
{
    public static function isInvalidToken(int $status, ?string $wwwAuthenticate): bool
    {
        if ($status !== 401 || $wwwAuthenticate === null) {
            return false;
        }
        // auth-params are name=value pairs, values optionally quoted (RFC 9110 §11.2). Several challenges may share
        // one header; an error param belongs to the Bearer challenge when Bearer is the scheme before it.
        $pattern = '/(?:^|,)\s*([A-Za-z][A-Za-z0-9!#$%&\'*+.^_`|~-]*)(?:\s+|\s*,|$)|([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\\\]|\\\\.)*"|[^,\s]*)/';
        preg_match_all($pattern, $wwwAuthenticate, $matches, PREG_SET_ORDER);
        $scheme = null;
        foreach ($matches as $match) {
            if (($match[1] ?? '') !== '') {
                $scheme = strtolower($match[1]);
                continue;
            }
            if ($scheme === 'bearer' && strtolower($match[2]) === 'error' && trim($match[3], '"') === 'invalid_token') {
                return true;
            }
        }
        return false;
    }
}
