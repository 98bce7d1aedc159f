await PartnerApi.PartnerApiApp.Build(args).RunAsync();
