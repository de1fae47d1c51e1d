namespace Mapd.Client.Internal.Tracking;

/// <summary>Tells the daemon this process no longer maps a name.</summary>
internal interface IRegionCloser
{
    /// <summary>
    /// Closes at once when that cannot block (a CLOSE frame on the session socket); false when
    /// it must be sent by <see cref="CloseAsync"/> instead. Called under <see cref="RegionTable"/>'s lock.
    /// </summary>
    bool TryCloseNow(CloseOrder order);

    /// <summary>Closes, however long that takes; never throws.</summary>
    Task CloseAsync(CloseOrder order);
}
