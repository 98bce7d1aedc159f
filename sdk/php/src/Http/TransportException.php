<?php

declare(strict_types=1);

namespace Gatehouse\Http;

/** No HTTP response arrived: the connection was refused, reset or timed out. */
final class TransportException extends \RuntimeException
{
}
