using System.Security.Cryptography;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.Identity.Keys;

/// <summary>
/// The provider's key files, created on first start in the keys folder (owner-only, shared safely by
/// processes starting together: <see cref="KeyFiles"/>): the ES256 key that signs tokens (published
/// in the JWKS), the AES key that seals authorization and device codes, and one secret per client
/// (the web app and each service read their own file; in production each file is a mounted secret).
/// </summary>
public sealed class ProviderKeys(string directory)
{
    public static ProviderKeys From(IConfiguration configuration, IdentityProviderOptions options) =>
        new(options.KeysDirectory ?? Path.Combine(AuthExtensions.DataDirectory(configuration), "keys"));

    public string Directory { get; } = directory;

    /// <summary>The token signing key: 32 random bytes are a P-256 private scalar; the public point is derived.</summary>
    public ECDsaSecurityKey SigningKey()
    {
        var d = Convert.FromBase64String(KeyFiles.Read(Path.Combine(Directory, "identity-signing.key"), create: true));
        var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())[..16];
        return key;
    }

    /// <summary>The key that encrypts codes the provider hands out and takes back.</summary>
    public SymmetricSecurityKey EncryptionKey() =>
        new(Convert.FromBase64String(KeyFiles.Read(Path.Combine(Directory, "identity-encryption.key"), create: true)));

    /// <summary>A client's secret file (created when missing): <c>clients/{clientId}.secret</c>.</summary>
    public string ClientSecretFile(string clientId) => Path.Combine(Directory, "clients", clientId + ".secret");

    public string ClientSecret(string clientId) => KeyFiles.Read(ClientSecretFile(clientId), create: true);
}
