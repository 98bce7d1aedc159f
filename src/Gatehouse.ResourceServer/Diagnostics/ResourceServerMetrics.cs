using System.Diagnostics.Metrics;

namespace Gatehouse.ResourceServer.Diagnostics;

/// The library's instruments, on the meter named "Gatehouse.ResourceServer".
internal sealed class ResourceServerMetrics
{
    public const string MeterName = "Gatehouse.ResourceServer";

    private readonly Counter<long> _keySetRefreshes;
    private readonly Counter<long> _revokedRejections;
    private readonly Counter<long> _feedPolls;
    private readonly Counter<long> _introspections;

    public ResourceServerMetrics(IMeterFactory? factory)
    {
        var meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _keySetRefreshes = meter.CreateCounter<long>("gatehouse.resource_server.key_set.refreshes", "{refresh}",
            "Discovery and key set fetches, by reason (initial, scheduled, unknown_kid) and outcome.");
        _revokedRejections = meter.CreateCounter<long>("gatehouse.resource_server.revoked_tokens", "{token}",
            "Otherwise valid tokens rejected because the revocation feed listed them.");
        _feedPolls = meter.CreateCounter<long>("gatehouse.resource_server.revocation_feed.polls", "{poll}",
            "Revocation feed requests, by outcome.");
        _introspections = meter.CreateCounter<long>("gatehouse.resource_server.introspections", "{request}",
            "Introspection lookups, by source (cache or server).");
    }

    public void KeySetRefresh(string reason, bool success) => _keySetRefreshes.Add(1,
        new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("outcome", success ? "success" : "failure"));

    public void RevokedTokenRejected() => _revokedRejections.Add(1);
    public void FeedPoll(string outcome) => _feedPolls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void Introspection(string source) => _introspections.Add(1, new KeyValuePair<string, object?>("source", source));
}
