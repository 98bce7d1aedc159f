<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/**
 * Just enough of PSR-7 and PSR-18 (no Packagist here) to drive Gatehouse\Http\TokenHttpClient the way Guzzle or
 * Symfony's Psr18Client would: immutable requests, a seekable body stream, a client that really sends over curl.
 */
final class MiniRequest
{
    public function __construct(private string $method, private string $uri, private array $headers = [], private ?MiniStream $body = null)
    {
        $this->body ??= new MiniStream('');
    }

    public function getMethod(): string { return $this->method; }
    public function getUri(): string { return $this->uri; }
    public function getBody(): MiniStream { return $this->body; }
    public function getHeaders(): array { return $this->headers; }

    public function withHeader(string $name, string $value): self
    {
        $copy = clone $this;
        $copy->headers[$name] = $value;
        return $copy;
    }
}

final class MiniStream
{
    private int $position = 0;

    public function __construct(private readonly string $content, private readonly bool $seekable = true)
    {
    }

    public function isSeekable(): bool { return $this->seekable; }
    public function rewind(): void { $this->position = 0; }

    public function getContents(): string
    {
        $rest = substr($this->content, $this->position);
        $this->position = strlen($this->content);
        return $rest;
    }
}

final class MiniResponse
{
    public function __construct(private readonly int $status, private readonly array $headers)
    {
    }

    public function getStatusCode(): int { return $this->status; }
    public function hasHeader(string $name): bool { return isset($this->headers[strtolower($name)]); }
    public function getHeaderLine(string $name): string { return implode(', ', $this->headers[strtolower($name)] ?? []); }
}

final class MiniPsr18Client
{
    public function sendRequest(MiniRequest $request): MiniResponse
    {
        $headers = [];
        $curl = curl_init($request->getUri());
        $lines = array_map(static fn ($n, $v) => "$n: $v", array_keys($request->getHeaders()), $request->getHeaders());
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $request->getMethod(),
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_POSTFIELDS => $request->getBody()->getContents(),
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADERFUNCTION => static function ($c, string $line) use (&$headers): int {
                $pair = explode(':', $line, 2);
                if (count($pair) === 2) {
                    $headers[strtolower(trim($pair[0]))][] = trim($pair[1]);
                }
                return strlen($line);
            },
        ]);
        curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        return new MiniResponse($status, $headers);
    }
}
