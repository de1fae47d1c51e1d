using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// Random request bodies for a gRPC method, reproducible from a seed: well-formed messages with
/// values picked to reach the daemon's rules (valid and invalid names, sizes at the edges, unknown
/// enum values), the same with their bytes mutated, bytes that are not protobuf at all, and now
/// and then broken gRPC framing.
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private static readonly string[] Names =
    [
        "f0", "f1", "f2", "f3", "a.b-c_d", "", ".", "..", ".hidden", "a/b", "a\0b", "sp ace", "ünï", new string('n', 200), new string('n', 201), "../../etc/passwd",
    ];

    private static readonly ulong[] Numbers =
    [
        0, 1, 2, 3, 4095, 4096, 4097, 65536, 1 << 20, 1 << 26, 1UL << 31, uint.MaxValue, 1UL << 32, 1UL << 40, (ulong)long.MaxValue, 1UL << 63, ulong.MaxValue - 1, ulong.MaxValue,
    ];

    private readonly Random _random = new(seed);

    /// <summary>A request body (framed unless it tests the framing) for a method taking <paramref name="type"/>.</summary>
    public byte[] Body(MessageDescriptor type) => _random.Next(20) switch
    {
        0 => Bytes(_random.Next(0, 64)),
        1 => Frame(Bytes(_random.Next(0, 64))),
        2 => Mutate(Frame(Message(type))),
        < 10 => Frame(Mutate(Message(type))),
        _ => Frame(Message(type)),
    };

    /// <summary>A well-formed message of <paramref name="type"/> with random field values.</summary>
    public byte[] Message(MessageDescriptor type)
    {
        var message = type.Parser.ParseFrom([]);
        foreach (var field in type.Fields.InDeclarationOrder())
        {
            if (_random.Next(4) == 0)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var n = _random.Next(6); n > 0; n--)
                {
                    list.Add(Value(field));
                }
            }
            else if (Value(field) is { } value)
            {
                field.Accessor.SetValue(message, value);
            }
        }

        return message.ToByteArray();
    }

    private object? Value(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => _random.Next(8) == 0 ? new string((char)_random.Next(1, 0x3000), _random.Next(1, 40)) : Names[_random.Next(Names.Length)],
        FieldType.UInt64 => Number(),
        FieldType.UInt32 => (uint)Number(),
        FieldType.Int32 or FieldType.SInt32 => (int)Number(),
        FieldType.Int64 or FieldType.SInt64 => (long)Number(),
        FieldType.Bool => _random.Next(2) == 1,
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, _random.Next(-2, 5)),
        _ => null,
    };

    private ulong Number() => _random.Next(3) == 0 ? (ulong)_random.NextInt64() : Numbers[_random.Next(Numbers.Length)];

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Frame(byte[] message) => _random.Next(30) == 0
        ? [.. RawGrpc.Frame(message)[..Math.Max(0, 5 + message.Length - _random.Next(1, 6))]]
        : RawGrpc.Frame(message);

    private byte[] Mutate(byte[] input)
    {
        var bytes = input.ToList();
        for (var steps = _random.Next(1, 5); steps > 0; steps--)
        {
            if (bytes.Count == 0)
            {
                bytes.Add((byte)_random.Next(256));
                continue;
            }

            var at = _random.Next(bytes.Count);
            switch (_random.Next(4))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(_random.Next(1, 5), bytes.Count - at));
                    break;
            }
        }

        return [.. bytes];
    }
}
