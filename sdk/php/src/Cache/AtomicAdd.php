<?php

declare(strict_types=1);

namespace Gatehouse\Cache;

/**
 * A PSR-16 cache that can also store a value only if the key is absent, atomically across processes (Redis
 * SET NX, Memcached add, flock). Given such a cache, workers sharing it send one token request between them.
 * Any object with a matching add() method works too; this interface only names the contract.
 */
interface AtomicAdd
{
    public function get(string $key, mixed $default = null): mixed;

    public function set(string $key, mixed $value, null|int|\DateInterval $ttl = null): bool;

    public function delete(string $key): bool;

    /** True when this call stored the value; false when the key already held one. */
    public function add(string $key, mixed $value, null|int|\DateInterval $ttl = null): bool;
}
