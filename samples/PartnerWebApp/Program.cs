await PartnerWebApp.PartnerWebAppHost.Build(args).RunAsync();
