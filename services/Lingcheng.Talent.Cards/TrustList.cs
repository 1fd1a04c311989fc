using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// The public keys a verifier trusts, looked up by kid. Immutable: build a new list when the
/// registry publishes a new one, and swap the reference.
/// </summary>
public sealed class TrustList : IReadOnlyCollection<TrustedKey>
{
    private readonly TrustedKey[] _keys;
    private readonly FrozenDictionary<ulong, TrustedKey> _byKid;

    /// <summary>Builds a trust list.</summary>
    /// <exception cref="ArgumentException">Two entries have the same kid.</exception>
    public TrustList(IEnumerable<TrustedKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [.. keys];
        var byKid = new Dictionary<ulong, TrustedKey>(_keys.Length);
        foreach (var key in _keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (!byKid.TryAdd(KeyIds.ToLookupKey(key.KidBytes.Span), key))
            {
                throw new ArgumentException($"The trust list holds kid {key.Kid} twice.", nameof(keys));
            }
        }

        _byKid = byKid.ToFrozenDictionary();
    }

    /// <summary>Builds a trust list.</summary>
    public TrustList(params ReadOnlySpan<TrustedKey> keys)
        : this((IEnumerable<TrustedKey>)keys.ToArray())
    {
    }

    /// <summary>A list that trusts nothing.</summary>
    public static TrustList Empty { get; } = new((IEnumerable<TrustedKey>)[]);

    /// <inheritdoc/>
    public int Count => _keys.Length;

    /// <summary>Finds the key for an 8-byte kid without allocating.</summary>
    public bool TryGetKey(ReadOnlySpan<byte> kid, [NotNullWhen(true)] out TrustedKey? key)
    {
        if (kid.Length != CardToken.KidLength)
        {
            key = null;
            return false;
        }

        return _byKid.TryGetValue(KeyIds.ToLookupKey(kid), out key);
    }

    /// <summary>Finds the key for a kid in hex.</summary>
    public bool TryGetKey(string? kidHex, [NotNullWhen(true)] out TrustedKey? key)
    {
        Span<byte> kid = stackalloc byte[CardToken.KidLength];
        if (kidHex is { Length: CardToken.KidLength * 2 }
            && Convert.FromHexString(kidHex, kid, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == CardToken.KidLength)
        {
            return TryGetKey(kid, out key);
        }

        key = null;
        return false;
    }

    /// <summary>A new list with <paramref name="key"/> added, or replacing the entry with the same kid.</summary>
    public TrustList With(TrustedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keys = new List<TrustedKey>(_keys.Length + 1);
        foreach (var existing in _keys)
        {
            if (existing.Kid != key.Kid)
            {
                keys.Add(existing);
            }
        }

        keys.Add(key);
        return new TrustList(keys);
    }

    /// <inheritdoc/>
    public IEnumerator<TrustedKey> GetEnumerator() => ((IEnumerable<TrustedKey>)_keys).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
