<?php

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Gatehouse\\Tests\\')) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen('Gatehouse\\Tests\\'))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

// An interrupted run (Ctrl-C, a CI timeout) must not leave servers behind: exit() runs the shutdown functions
// that stop them and remove their directories.
if (function_exists('pcntl_async_signals')) {
    pcntl_async_signals(true);
    foreach ([SIGINT, SIGTERM] as $signal) {
        pcntl_signal($signal, static fn () => exit(130));
    }
}
