<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/**
 * A PSR-18 client decorator: sendRequest() adds Authorization: Bearer … to a PSR-7 request and hands it to the
 * PSR-18 client it wraps (Guzzle, Symfony HttpClient's Psr18Client…), with the retries of BearerRetry.
 * Duck-typed, so the SDK does not depend on psr/http-client: pass objects with PSR-7/PSR-18's methods.
 */
final class TokenHttpClient
{
    /** @internal Built by Client::httpClient(). */
    public function __construct(private readonly object $inner, private readonly BearerRetry $retry)
    {
        if (!method_exists($inner, 'sendRequest')) {
            throw new \InvalidArgumentException('The wrapped HTTP client needs a PSR-18 sendRequest() method.');
        }
    }

    /**
     * @param object $request a PSR-7 RequestInterface
     * @return object the PSR-7 ResponseInterface of the last attempt
     */
    public function sendRequest(object $request): object
    {
        $body = $request->getBody();
        $replayable = $body->isSeekable();
        return $this->retry->send(
            $request->getMethod(),
            (string) $request->getUri(),
            $replayable,
            function (string $token) use ($request, $body, $replayable): object {
                if ($replayable) {
                    $body->rewind();
                }
                return $this->inner->sendRequest($request->withHeader('Authorization', 'Bearer ' . $token));
            },
            static fn (object $response): array => [
                $response->getStatusCode(),
                $response->hasHeader('WWW-Authenticate') ? $response->getHeaderLine('WWW-Authenticate') : null,
                $response->hasHeader('Retry-After') ? $response->getHeaderLine('Retry-After') : null,
            ],
        );
    }
}
