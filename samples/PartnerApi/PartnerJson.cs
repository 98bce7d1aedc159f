using System.Text.Json.Serialization;
using PartnerApi.Applications;
using PartnerApi.Decisions;

namespace PartnerApi;

/// Source-generated JSON for the sample's types (snake_case is set on the app's options).
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(Application))]
[JsonSerializable(typeof(NewApplication))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class PartnerJson : JsonSerializerContext;

internal sealed record Problem(string Error, string ErrorDescription);
