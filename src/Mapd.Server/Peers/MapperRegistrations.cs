namespace Mapd.Server.Peers;

/// <summary>
/// What one mapper maps, and the moment it ended. A registration and the end are ordered by
/// one lock: a registration either comes first (and the end returns it, to be undone) or finds
/// the mapper ended and is refused. So an Open that looked its session up just before the
/// session's socket closed can never leave a mapper behind that nobody will remove.
/// </summary>
/// <remarks>The items are opaque here; the region catalog stores its regions.</remarks>
public sealed class MapperRegistrations
{
    private readonly Lock _gate = new();
    private readonly HashSet<object> _items = new(ReferenceEqualityComparer.Instance);
    private bool _ended;

    /// <summary>True once <see cref="End"/> ran.</summary>
    public bool HasEnded
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>How many items are registered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Registers <paramref name="item"/>; false (and nothing registered) when the mapper has ended.</summary>
    public bool TryAdd(object item)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _items.Add(item);
            return true;
        }
    }

    /// <summary>True when <paramref name="item"/> is registered.</summary>
    public bool Contains(object item)
    {
        lock (_gate)
        {
            return _items.Contains(item);
        }
    }

    /// <summary>Unregisters <paramref name="item"/>; false when it was not registered.</summary>
    public bool Remove(object item)
    {
        lock (_gate)
        {
            return _items.Remove(item);
        }
    }

    /// <summary>The registered items of type <typeparamref name="T"/>, now.</summary>
    public List<T> Snapshot<T>()
    {
        lock (_gate)
        {
            return [.. _items.OfType<T>()];
        }
    }

    /// <summary>Marks the mapper ended and returns what it still had registered, once; later calls return nothing.</summary>
    public List<T> End<T>()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return [];
            }

            _ended = true;
            var items = _items.OfType<T>().ToList();
            _items.Clear();
            return items;
        }
    }
}
