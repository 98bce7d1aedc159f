<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/** An HTTP response as the built-in curl transport received it. Header names are lower-case. */
final class Response
{
    /** @param array<string, list<string>> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }

    /** The header's values joined with ", " (RFC 9110 §5.3), or null when absent. */
    public function header(string $name): ?string
    {
        $values = $this->headers[strtolower($name)] ?? null;
        return $values === null ? null : implode(', ', $values);
    }

    /** The body decoded as a JSON object or array; null when it is not JSON. */
    public function json(): ?array
    {
        $decoded = json_decode($this->body, true);
        return is_array($decoded) ? $decoded : null;
    }
}
