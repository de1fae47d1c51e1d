namespace Mapd.SystemTests.Infrastructure;

/// <summary>What a system test needs from the host.</summary>
public enum SystemNeed
{
    /// <summary>A Debian guest under systemd-nspawn: root, systemd-nspawn, debootstrap, nsenter, dpkg-deb.</summary>
    Guest,

    /// <summary>Containers: root, podman with runc, and the Debian root for the local base images.</summary>
    Containers,
}
