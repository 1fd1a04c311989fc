using Lingcheng.Talent.HealthProbe;

return await HealthProbe.RunAsync(HealthProbe.EffectiveArguments(args, AppContext.BaseDirectory), Console.Out, Console.Error);
