// One running system for the whole test assembly, started on first use: the end-to-end classes run
// in parallel against it, and each asserts only on the talents and cards it made itself.
[assembly: AssemblyFixture(typeof(Lingcheng.Talent.Cli.Tests.RunningSystemFixture))]
