<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

final class Jwt
{
    public static function payload(string $jwt): array
    {
        $part = explode('.', $jwt)[1];
        return json_decode(base64_decode(strtr($part, '-_', '+/')), true, flags: JSON_THROW_ON_ERROR);
    }
}
