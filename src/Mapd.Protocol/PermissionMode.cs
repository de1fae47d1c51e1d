namespace Mapd.Protocol;

/// <summary>Region permission bits as operators read them.</summary>
public static class PermissionMode
{
    /// <summary>Four octal digits, as <c>chmod</c> takes them: <c>0640</c>.</summary>
    public static string Format(uint mode) => Convert.ToString(mode, 8).PadLeft(4, '0');
}
