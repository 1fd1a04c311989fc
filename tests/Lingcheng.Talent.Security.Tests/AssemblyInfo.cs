// One running system for the whole assembly (starting the services costs seconds on two cores), and the
// collections in name order so that the privacy scan of the logs comes after every attack.
[assembly: Xunit.AssemblyFixture(typeof(Lingcheng.Talent.Security.Tests.SecuritySystem))]
[assembly: Xunit.TestCollectionOrderer(typeof(Lingcheng.Talent.Security.Tests.ByNameCollectionOrderer))]
