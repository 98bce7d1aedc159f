namespace Gatehouse.Client.Discovery;

/// The parts of the RFC 8414 document the client uses.
internal sealed record AuthorizationServerMetadata(string Issuer, Uri TokenEndpoint);
