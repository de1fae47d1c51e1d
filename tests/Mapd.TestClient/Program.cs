using System.Globalization;
using Mapd.Client;
using Mapd.Native;
using Mapd.TestClient;
using Microsoft.Win32.SafeHandles;

// Usage: Mapd.TestClient <socket-dir> <command> <name> [args]
//   create-write NAME SIZE SEED [MODE]  create, fill the pattern, exit
//   write NAME SEED                     open read-write, fill the pattern
//   verify NAME SEED                    open read-only, check the pattern
//   open NAME ro|rw                     open and report
//   map-write NAME                      open read-only, then try a PROT_WRITE mapping of its fd
//   hold NAME SEED                      open read-only; on each stdin line re-check the pattern; exit at EOF
//   create NAME SIZE [MODE]             create, report owner and group
//   delete NAME                         delete
//   session                             print the session id, then wait for stdin EOF
//   stamp NAME                          open read-write, stamp every page (PageStamps)
//   readers NAME THREADS                reader threads check page stamps under leases until stdin EOF; report reads and errors
//   resizer NAME MIN MAX COUNT          grow (stamping new pages) and shrink COUNT times between MIN and MAX bytes
//   hold-lease NAME                     open read-write, fill the pattern, take a lease and never end it; "touch" rewrites all of it
//   hold-read NAME                      open read-only, take a lease and never end it; "read" reads all of it
//   status NAME                         print the region as the daemon describes it
//   list                                print the names the daemon lists to this user
//   mappers NAME                        print how many sessions map NAME and the pids the daemon shows this user
//   watch-all                           watch every region without a session; print "ready", then "event KIND NAME" per event until stdin EOF
//   truncate NAME SIZE                  open read-write and ftruncate the granted descriptor to SIZE (an attack), then wait for stdin EOF
//   keep-fd NAME                        open read-write, duplicate the descriptor, end the session, keep
//                                       the file open; "grow SIZE" ftruncates it and writes every page (an attack); exit at EOF
//   use-session ID NAME                 print this process's pid, then create NAME on session ID (another process's)
// Output: one line, "ok ..." on success, else "error <StatusCode|errno> <message>".
var directory = args[0];
var command = args[1];
try
{
    await using var mapd = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = directory });
    switch (command)
    {
        case "create-write":
            {
                var mode = args.Length > 5 ? Convert.ToUInt32(args[5], 8) : 0;
                using var region = await mapd.CreateAsync(args[2], long.Parse(args[3], CultureInfo.InvariantCulture), mode);
                Fill(region, Seed(args[4]));
                Console.WriteLine($"ok wrote {region.Size}");
                break;
            }

        case "write":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite);
                Fill(region, Seed(args[3]));
                Console.WriteLine($"ok wrote {region.Size}");
                break;
            }

        case "verify":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadOnly);
                Console.WriteLine(Verify(region, Seed(args[3])));
                break;
            }

        case "open":
            {
                using var region = await mapd.OpenAsync(args[2], args[3] == "rw" ? RegionAccess.ReadWrite : RegionAccess.ReadOnly);
                Console.WriteLine($"ok opened {region.Access} {region.Size}");
                break;
            }

        case "map-write":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadOnly);
                try
                {
                    using var mapping = MemoryMapping.MapShared(region.Descriptor, region.Size, writable: true);
                    Console.WriteLine("ok mapped writable");
                }
                catch (SystemCallException e)
                {
                    Console.WriteLine($"error {e.ErrnoName} {e.Message}");
                }

                break;
            }

        case "hold":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadOnly);
                var seed = Seed(args[3]);
                Console.WriteLine(Verify(region, seed));
                while (Console.ReadLine() is not null)
                {
                    Console.WriteLine(Verify(region, seed));
                }

                break;
            }

        case "delete":
            await mapd.DeleteAsync(args[2]);
            Console.WriteLine("ok deleted");
            break;

        case "create":
            {
                var mode = args.Length > 4 ? Convert.ToUInt32(args[4], 8) : 0;
                using var region = await mapd.CreateAsync(args[2], long.Parse(args[3], CultureInfo.InvariantCulture), mode);
                var info = await mapd.GetAsync(args[2]);
                Console.WriteLine($"ok created owner {info.OwnerUid} gid {info.Gid}");
                break;
            }

        case "stamp":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite);
                Stamp(region, 0);
                Console.WriteLine($"ok stamped {region.Size}");
                break;
            }

        case "readers":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadOnly);
                var result = await Readers.RunAsync(region, int.Parse(args[3], CultureInfo.InvariantCulture), () => Console.ReadLine() is null);
                Console.WriteLine(result);
                break;
            }

        case "resizer":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite);
                var (min, max, count) = (long.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
                Console.WriteLine(await Resizer.RunAsync(region, min, max, count));
                break;
            }

        case "hold-lease":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite);
                var lease = region.AcquireLease();
                TouchAll(lease, 77);
                Console.WriteLine($"ok holding {lease.Length}");
                while (Console.ReadLine() is not null)
                {
                    TouchAll(lease, 78);
                    Console.WriteLine($"ok touched {lease.Length}");
                }

                lease.Dispose();
                break;
            }

        case "hold-read":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadOnly);
                var lease = region.AcquireLease();
                Console.WriteLine($"ok holding {lease.Length}");
                while (Console.ReadLine() is not null)
                {
                    Console.WriteLine($"ok read {ReadAll(lease)}");
                }

                lease.Dispose();
                break;
            }

        case "status":
            {
                var info = await mapd.GetAsync(args[2]);
                Console.WriteLine($"ok size {info.Size} pending {info.PendingSize} generation {info.Generation}");
                break;
            }

        case "list":
            Console.WriteLine($"ok {string.Join(' ', (await mapd.ListAsync()).Select(r => r.Name).Order(StringComparer.Ordinal))}");
            break;

        case "mappers":
            {
                var region = await mapd.Grpc.GetAsync(new Mapd.Protocol.V1.GetRequest { Name = args[2] });
                Console.WriteLine($"ok count {region.Mappers} pids {string.Join(',', region.MapperDetails.Select(m => m.Pid))}");
                break;
            }

        case "watch-all":
            {
                using var stop = new CancellationTokenSource();
                using var call = mapd.Grpc.Watch(new Mapd.Protocol.V1.WatchRequest(), cancellationToken: stop.Token);
                await call.ResponseHeadersAsync;
                Console.WriteLine("ready");
                var reading = Task.Run(async () =>
                {
                    while (await Console.In.ReadLineAsync() is not null)
                    {
                    }

                    await stop.CancelAsync();
                });
                try
                {
                    while (await call.ResponseStream.MoveNext(stop.Token))
                    {
                        Console.WriteLine($"event {call.ResponseStream.Current.Kind} {call.ResponseStream.Current.Region.Name}");
                    }
                }
                catch (Grpc.Core.RpcException) when (stop.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

                await reading;
                break;
            }

        case "truncate":
            {
                using var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite);
                Files.Truncate(region.Descriptor, long.Parse(args[3], CultureInfo.InvariantCulture), args[2]);
                Console.WriteLine($"ok truncated {args[3]}");
                while (Console.ReadLine() is not null)
                {
                }

                break;
            }

        case "keep-fd":
            {
                SafeFileHandle kept;
                using (var region = await mapd.OpenAsync(args[2], RegionAccess.ReadWrite))
                {
                    var copy = region.Descriptor.Duplicate();
                    kept = new SafeFileHandle(copy.DangerousGetHandle(), ownsHandle: true);
                    copy.SetHandleAsInvalid();
                }

                await mapd.DisposeAsync();
                using (kept)
                {
                    Console.WriteLine("ok kept");
                    while (Console.ReadLine() is { } line)
                    {
                        var size = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
                        RandomAccess.SetLength(kept, size);
                        var page = new byte[4096];
                        page.AsSpan().Fill(0x5a);
                        for (long offset = 0; offset < size; offset += page.Length)
                        {
                            RandomAccess.Write(kept, page, offset);
                        }

                        Console.WriteLine($"ok grew {RandomAccess.GetLength(kept)}");
                    }
                }

                break;
            }

        case "use-session":
            {
                Console.WriteLine($"pid {Environment.ProcessId}");
                var stolen = new Grpc.Core.Metadata { { "mapd-session", args[2] } };
                await mapd.Grpc.CreateAsync(new Mapd.Protocol.V1.CreateRequest { Name = args[3], Size = 4096 }, stolen);
                Console.WriteLine("ok created on another session");
                break;
            }

        case "session":
            Console.WriteLine($"ok {mapd.SessionId}");
            while (Console.ReadLine() is not null)
            {
            }

            break;

        default:
            Console.WriteLine($"error Usage unknown command {command}");
            return 2;
    }

    return 0;
}
catch (MapdException e)
{
    Console.WriteLine($"error {e.Code} {e.Message}");
    Console.Error.WriteLine(e);
    return 1;
}
catch (Grpc.Core.RpcException e)
{
    Console.WriteLine($"error {e.StatusCode} {e.Status.Detail}");
    return 1;
}

static ulong Seed(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);

static unsafe void Fill(MappedRegion region, ulong seed)
{
    using var lease = region.AcquireLease();
    Pattern.Fill(lease.Pointer, lease.Length, seed);
}

static unsafe void Stamp(MappedRegion region, long from)
{
    using var lease = region.AcquireLease();
    PageStamps.StampRange(lease.Pointer, from, lease.Length);
}

static unsafe void TouchAll(RegionLease lease, ulong seed) => Pattern.Fill(lease.Pointer, lease.Length, seed);

// Reads one byte of every page: a page past the file's end would raise SIGBUS and kill the process.
static unsafe long ReadAll(RegionLease lease)
{
    long sum = 0;
    for (long offset = 0; offset < lease.Length; offset += 4096)
    {
        sum += lease.Pointer[offset];
    }

    return lease.Length;
}

static unsafe string Verify(MappedRegion region, ulong seed)
{
    using var lease = region.AcquireLease();
    var bad = Pattern.FindMismatch(lease.Pointer, lease.Length, seed);
    return bad < 0 ? $"ok verified {lease.Length}" : $"error Mismatch at offset {bad}";
}
