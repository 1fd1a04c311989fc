using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using BenchmarkDotNet.Attributes;

namespace Lingcheng.Talent.Cards.Benchmarks;

/// <summary>
/// The costs that bound the verification service (SPEC §7.1: extra CPU per verify ≤ 1.3 × a raw
/// ECDSA P-256 verify): token sign and verify, the raw ECDSA verify of the same bytes with the
/// same key, Base45 both ways, and QR rendering.
/// </summary>
[MemoryDiagnoser]
public class CardTokenBenchmarks
{
    private SigningKey _key = null!;
    private CardTokenIssuer _issuer = null!;
    private CardTokenVerifier _verifier = null!;
    private TrustList _trust = null!;
    private ECDsa _publicKey = null!;
    private string _token = null!;
    private string _base45 = null!;
    private byte[] _cose = null!;
    private byte[] _toBeSigned = null!;
    private byte[] _signature = null!;
    private byte[] _decodeBuffer = null!;
    private DateTimeOffset _cardExpiry;

    [GlobalSetup]
    public void Setup()
    {
        var now = TimeProvider.System.GetUtcNow();
        _cardExpiry = now.AddYears(3);
        _key = SigningKey.Generate(now.AddDays(-1));
        _issuer = new CardTokenIssuer(TimeProvider.System);
        _verifier = new CardTokenVerifier(TimeProvider.System);
        _trust = new TrustList(_key.ToTrustedKey());
        _token = Sign();
        _base45 = _token[CardToken.Prefix.Length..];
        Base45.TryDecode(_base45, out var cose);
        _cose = cose!;
        _decodeBuffer = new byte[_cose.Length];

        // The raw baseline verifies exactly what COSE verification hashes — the Sig_structure
        // ["Signature1", protected, h'', payload] — with the token's own signature.
        var message = CoseMessage.DecodeSign1(_cose);
        var writer = new CborWriter();
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(message.RawProtectedHeaders.Span);
        writer.WriteByteString([]);
        writer.WriteByteString(message.Content!.Value.Span);
        writer.WriteEndArray();
        _toBeSigned = writer.Encode();
        _signature = message.Signature.ToArray();
        _publicKey = ECDsa.Create();
        _publicKey.ImportSubjectPublicKeyInfo(_key.SubjectPublicKeyInfo, out _);
        if (!RawEcdsaVerify() || Verify() != TokenOutcome.Valid)
        {
            throw new InvalidOperationException("The benchmark inputs do not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _publicKey.Dispose();
    }

    [Benchmark(Description = "token sign (IssueStatic)")]
    public string Sign() => _issuer.IssueStatic(_key, "LC260002310", 1, Tier.B, "张*明", _cardExpiry);

    [Benchmark(Description = "token verify (CardTokenVerifier)")]
    public TokenOutcome Verify() => _verifier.Verify(_token, _trust).Outcome;

    [Benchmark(Baseline = true, Description = "raw ECDsa.VerifyData, same key and bytes")]
    public bool RawEcdsaVerify() => _publicKey.VerifyData(_toBeSigned, _signature, HashAlgorithmName.SHA256);

    [Benchmark(Description = "Base45 encode (token bytes)")]
    public string Base45Encode() => Base45.Encode(_cose);

    [Benchmark(Description = "Base45 decode (token text)")]
    public bool Base45Decode() => Base45.TryDecode(_base45, _decodeBuffer, out _);

    [Benchmark(Description = "QR PNG render (3 px/module)")]
    public byte[] QrPng() => QrCodes.RenderPng(_token);
}
