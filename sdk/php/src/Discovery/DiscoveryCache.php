<?php

declare(strict_types=1);

namespace Gatehouse\Discovery;

use Gatehouse\Cache\SharedStore;
use Gatehouse\Clock;
use Gatehouse\Diagnostics\Log;
use Gatehouse\Http\CurlTransport;
use Gatehouse\Http\TransportException;
use Gatehouse\TokenException;

/**
 * Seed 000: read the metadata once, cache it, read it again daily (by default) and whenever a token request
 * suggests it went stale. A failed refresh keeps the last good document. With a shared cache, workers share the
 * document too, so a new PHP-FPM request does not start with a discovery round trip.
 *
 * @internal
 */
final class DiscoveryCache
{
    private const RETRY_AFTER_FAILED_REFRESH = 30.0;
    private const WELL_KNOWN_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

    private ?ServerMetadata $current = null;

    public function __construct(
        private readonly string $authority,
        private readonly float $refreshInterval,
        private readonly CurlTransport $http,
        private readonly Clock $clock,
        private readonly Log $log,
        private readonly ?SharedStore $shared,
    ) {
    }

    /** @throws TokenException discovery_failed when there is no document, new or old */
    public function get(): ServerMetadata
    {
        $now = $this->clock->now();
        if ($this->current !== null && $now < $this->current->refreshAt) {
            return $this->current;
        }
        $shared = $this->shared?->discovery();
        if ($shared !== null && $now < $shared->refreshAt) {
            return $this->current = $shared;
        }
        $this->current ??= $shared;

        [$metadata, $failure] = $this->fetch();
        if ($metadata !== null) {
            $this->log->discoveryFetched($this->authority, $metadata->tokenEndpoint);
            $this->shared?->storeDiscovery($metadata, $this->refreshInterval);
            return $this->current = $metadata;
        }
        if ($this->current !== null) {
            $this->log->discoveryFailedKeepingPrevious($this->authority, $failure);
            return $this->current = $this->current->until($now + self::RETRY_AFTER_FAILED_REFRESH);
        }
        throw new TokenException('discovery_failed', "Could not read the discovery document of {$this->authority}: $failure");
    }

    /** The next get() reads the document again (and falls back to this one if that fails). */
    public function markStale(): void
    {
        if ($this->current !== null) {
            $this->current = $this->current->until(0.0);
        }
        $this->shared?->forgetDiscovery();
    }

    /** @return array{0: ?ServerMetadata, 1: string} */
    private function fetch(): array
    {
        try {
            foreach (self::WELL_KNOWN_PATHS as $path) {
                $response = $this->http->send('GET', $this->authority . $path, ['Accept' => 'application/json']);
                if ($response->status === 404) {
                    continue;
                }
                if ($response->status !== 200) {
                    return [null, "GET $path answered {$response->status}"];
                }
                $document = $response->json();
                return $document === null ? [null, 'the document is not a JSON object'] : $this->parse($document);
            }
            return [null, 'no /.well-known/oauth-authorization-server or /.well-known/openid-configuration document'];
        } catch (TransportException $e) {
            return [null, $e->getMessage()];
        }
    }

    /** @return array{0: ?ServerMetadata, 1: string} */
    private function parse(array $document): array
    {
        $issuer = is_string($document['issuer'] ?? null) ? $document['issuer'] : null;
        // RFC 8414 §3.3: the issuer in the document must be the one we asked, or an attacker's metadata could be swapped in.
        if ($issuer === null || rtrim($issuer, '/') !== $this->authority) {
            return [null, sprintf("the document names issuer '%s', not '%s'", $issuer ?? '', $this->authority)];
        }
        $endpoint = is_string($document['token_endpoint'] ?? null) ? $document['token_endpoint'] : '';
        if (!Authority::isSecureOrLoopback($endpoint)) {
            return [null, 'the document has no https (or loopback http) token_endpoint'];
        }
        return [new ServerMetadata($issuer, $endpoint, $this->clock->now() + $this->refreshInterval), ''];
    }
}
