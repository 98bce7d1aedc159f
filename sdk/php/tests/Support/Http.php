<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/** Plain HTTP for the test harness itself (health probes, metrics), not through the SDK. */
final class Http
{
    /** @return array{0: int, 1: string} status (0 when unreachable) and body */
    public static function get(string $url): array
    {
        $curl = curl_init($url);
        curl_setopt_array($curl, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 2]);
        $body = curl_exec($curl);
        $status = $body === false ? 0 : (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        return [$status, (string) $body];
    }
}
