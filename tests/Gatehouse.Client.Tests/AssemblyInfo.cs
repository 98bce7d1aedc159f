// Each test class runs its own server; timing assertions (Retry-After, refresh, revocation within 5 s)
// stay honest on a 2-core machine only if classes do not compete for it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
