using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Dashboard;

/// SPEC 9, who sees what, in one place: an operator sees every client; a developer sees the clients whose
/// team is one of theirs. A client someone may not see does not exist for them (the caller answers it
/// exactly like an unknown one). Scopes, audiences and rate limits are the operator's to grant.
internal sealed class DashboardAccess(IClientStore store)
{
    public static bool MayUseDashboard(Users.User user) => user.Role is Users.UserRoles.Operator or Users.UserRoles.Developer;

    public static bool CanSee(DashboardPerson person, Client client) =>
        client.ClientId != DashboardClient.ClientId
        && (person.IsOperator || (client.Team is { } team && person.User.Teams.Contains(team, StringComparer.Ordinal)));

    /// The client, or null when it is unknown or not this person's to see: the caller answers both the same.
    public async Task<Client?> FindAsync(DashboardPerson person, string clientId, CancellationToken ct) =>
        await store.FindAsync(clientId, ct) is { } client && CanSee(person, client) ? client : null;

    public async Task<IReadOnlyList<Client>> VisibleAsync(DashboardPerson person, CancellationToken ct) =>
        (await store.LoadAllAsync(ct)).Where(c => CanSee(person, c)).OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// The teams a new client may be created for: any for an operator (or none), one of their own for a developer.
    public static bool MayCreateFor(DashboardPerson person, string? team) =>
        person.IsOperator ? true : team is not null && person.User.Teams.Contains(team, StringComparer.Ordinal);

    public static bool MayGrantScopes(DashboardPerson person) => person.IsOperator;

    /// Audit entries: an operator reads all; a developer those whose target is one of their clients.
    public static bool CanRead(IReadOnlySet<string> visibleClientIds, DashboardPerson person, AuditEntry entry) =>
        person.IsOperator || visibleClientIds.Contains(entry.Target);
}
