using Lingcheng.Talent.HealthProbe;

return await HealthProbe.RunAsync(args, Console.Out, Console.Error);
