<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Unit;

use Gatehouse\Http\ClientCredentialsHeader;
use PHPUnit\Framework\TestCase;

/** RFC 6749 §2.3.1: client_secret_basic form-url-encodes id and secret before base64. */
final class ClientCredentialsHeaderTest extends TestCase
{
    /** @test */
    public function basic_SecretWithColonSpaceAndNonAscii_FormUrlEncodedBeforeBase64(): void
    {
        $header = ClientCredentialsHeader::basic('cc_client_a b', 'se:cr%et é+');

        self::assertSame('Basic ' . base64_encode('cc_client_a+b:se%3Acr%25et+%C3%A9%2B'), $header);
    }
}
