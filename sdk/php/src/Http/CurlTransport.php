<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/**
 * One HTTP exchange over ext-curl. Redirects are not followed: a token request must never be re-sent,
 * credentials and all, to wherever a redirect points.
 *
 * @internal
 */
final class CurlTransport
{
    public function __construct(private readonly float $timeoutSeconds = 30.0)
    {
    }

    /**
     * @param array<string, string> $headers
     * @throws TransportException when no response arrived (refused, reset, timed out)
     */
    public function send(string $method, string $url, array $headers = [], ?string $body = null): Response
    {
        $handle = curl_init($url);
        if ($handle === false) {
            throw new TransportException("curl could not start a request to $url");
        }
        $received = [];
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = "$name: $value";
        }
        curl_setopt_array($handle, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_TIMEOUT_MS => (int) ($this->timeoutSeconds * 1000),
            CURLOPT_CONNECTTIMEOUT_MS => (int) (min($this->timeoutSeconds, 10.0) * 1000),
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$received): int {
                $pair = explode(':', $line, 2);
                if (count($pair) === 2) {
                    $received[strtolower(trim($pair[0]))][] = trim($pair[1]);
                } elseif (str_starts_with($line, 'HTTP/')) {
                    $received = []; // a 100 Continue came first: keep only the final response's headers
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($handle, CURLOPT_POSTFIELDS, $body);
        }
        $content = curl_exec($handle);
        if ($content === false) {
            $reason = curl_error($handle);
            curl_close($handle);
            throw new TransportException("$method " . self::withoutQuery($url) . " failed: $reason");
        }
        $status = (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        curl_close($handle);
        return new Response($status, $received, (string) $content);
    }

    private static function withoutQuery(string $url): string
    {
        return substr($url, 0, strcspn($url, '?#'));
    }
}
