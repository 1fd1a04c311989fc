using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Lingcheng.Talent.Cards.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Lingcheng.Talent.Cards.Benchmarks.CardTokenBenchmarks).Assembly).Run(args);
