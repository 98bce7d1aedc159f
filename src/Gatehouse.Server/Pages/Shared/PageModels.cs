namespace Gatehouse.Server.Pages.Shared;

// Public only because Razor components are public classes and their parameters must be as visible.

/// The anti-forgery field a form carries.
public sealed record PageForm(string FieldName, string Token);

/// One line of the consent page: what a scope lets the client do, and for `companies` which ones.
public sealed record ConsentLine(string Scope, string Description, IReadOnlyList<string> Details);
