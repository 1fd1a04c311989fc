namespace Lingcheng.Talent.Web.Resources;

/// <summary>
/// The texts of every page: <c>SharedResource.resx</c> holds Simplified Chinese (the default),
/// <c>SharedResource.en.resx</c> English. Pages read them through <c>IStringLocalizer&lt;SharedResource&gt;</c>.
/// </summary>
public sealed class SharedResource;
