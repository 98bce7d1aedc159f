namespace Gatehouse.ResourceServer;

/// The authentication schemes added with AddGatehouseBearer, in order; the first one describes the API
/// in its protected-resource metadata.
internal sealed class GatehouseSchemeNames
{
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public void Add(string scheme)
    {
        if (_names.Contains(scheme)) throw new InvalidOperationException($"The Gatehouse scheme '{scheme}' is already registered.");
        _names.Add(scheme);
    }

    public bool Contains(string scheme) => _names.Contains(scheme);
}
