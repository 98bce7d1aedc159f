using System.Reflection;
using System.Security.Cryptography;
using Gatehouse.Server.Endpoints.Discovery;

namespace Gatehouse.Server.Pages;

/// /assets/…: the pages' stylesheet and the one script file, embedded in the executable (no static-file
/// folder to deploy), served cacheable with an ETag.
internal static class AssetEndpoints
{
    private static readonly Lazy<(byte[] Body, string ETag)> Stylesheet = new(() => Load("gatehouse.css"));
    private static readonly Lazy<(byte[] Body, string ETag)> FormPostScript = new(() => Load("form-post.js"));
    private static readonly Lazy<(byte[] Body, string ETag)> DashboardScript = new(() => Load("dashboard.js"));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/gatehouse.css", (HttpContext context) => Write(context, Stylesheet.Value, "text/css; charset=utf-8"));
        app.MapGet("/assets/form-post.js", (HttpContext context) => Write(context, FormPostScript.Value, "text/javascript; charset=utf-8"));
        app.MapGet("/assets/dashboard.js", (HttpContext context) => Write(context, DashboardScript.Value, "text/javascript; charset=utf-8"));
    }

    private static Task Write(HttpContext context, (byte[] Body, string ETag) asset, string contentType)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return CachedJson.WriteAsync(context, asset.Body, asset.ETag, 3600, contentType);
    }

    private static (byte[], string) Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Gatehouse.Server.Pages.Assets." + name)
            ?? throw new InvalidOperationException($"Asset {name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var body = memory.ToArray();
        return (body, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"");
    }
}
