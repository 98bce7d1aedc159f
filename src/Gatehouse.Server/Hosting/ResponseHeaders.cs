namespace Gatehouse.Server.Hosting;

/// Headers every response carries (docs/hardening.md item 8).
internal static class ResponseHeaders
{
    /// Error descriptions echo (short, escaped) input; no browser may read a JSON body as HTML or script.
    public static IApplicationBuilder UseNosniff(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            SetNosniff(context.Response);
            return next(context);
        });

    public static void SetNosniff(HttpResponse response) => response.Headers.XContentTypeOptions = "nosniff";
}
