// Each test class runs its own server; the "within 5 s" assertions stay honest on a 2-core machine
// only if classes do not compete for it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
