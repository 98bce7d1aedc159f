<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/**
 * @internal client_secret_basic: RFC 6749 §2.3.1 form-url-encodes id and secret before base64, so a secret with
 * ':' or non-ASCII characters survives the trip.
 */
final class ClientCredentialsHeader
{
    public static function basic(string $clientId, string $clientSecret): string
    {
        return 'Basic ' . base64_encode(urlencode($clientId) . ':' . urlencode($clientSecret));
    }
}
