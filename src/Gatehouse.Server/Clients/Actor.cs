namespace Gatehouse.Server.Clients;

/// Who performed a management action, for the audit log: an operator's or client's id, or the CLI.
internal sealed record Actor(string Name, string? SourceAddress)
{
    public static Actor Client(string clientId, System.Net.IPAddress? address) => new("client:" + clientId, address?.ToString());

    public static Actor Cli() => new($"cli:{Environment.UserName}@{Environment.MachineName}", null);

    public static readonly Actor System = new("system", null);
}
