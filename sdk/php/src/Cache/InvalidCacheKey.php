<?php

declare(strict_types=1);

namespace Gatehouse\Cache;

/** PSR-16's InvalidArgumentException, without depending on psr/simple-cache. */
final class InvalidCacheKey extends \InvalidArgumentException
{
}
