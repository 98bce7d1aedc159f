<?php

declare(strict_types=1);

// For applications without Composer: require this file once. With Composer, its PSR-4 autoloader does the same.
spl_autoload_register(static function (string $class): void {
    if (!str_starts_with($class, 'Gatehouse\\')) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen('Gatehouse\\'))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
