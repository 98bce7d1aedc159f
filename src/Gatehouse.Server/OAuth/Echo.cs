namespace Gatehouse.Server.OAuth;

/// Input repeated back in an error description: short, and quoted, so a description can never carry a
/// page or a forged line of someone else's text. (JSON escaping is the response writer's job.)
internal static class Echo
{
    public const int MaxLength = 100;

    public static string Quoted(string? input)
    {
        if (input is null) return "''";
        var text = input.Length <= MaxLength ? input : string.Concat(input.AsSpan(0, MaxLength), "...");
        return $"'{text}'";
    }
}
