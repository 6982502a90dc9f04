using System.Diagnostics;
using System.Globalization;
using Fuzz;

// Seeded in-process fuzzing of every decoder of the core (HPACK, frames, the connection in both roles),
// with invariants: valid corpus blocks decode to the corpus fields, any chunking equals one read, an old
// state replays identically, progress is always made, nothing throws and no input takes long.
//
//   dotnet run -c Release --project tools/Fuzz -- [--seconds 60] [--seed 1] [--target NAME|all]
//   dotnet run -c Release --project tools/Fuzz -- --target NAME --seed S --only I     (reproduce one input)
//
// The budget is shared evenly by the targets. Exit 0: no break; 1: a break (printed with its reproducer);
// 2: bad arguments. Seeds: vectors/ and, when HPACK_TEST_CASE_DIR is set, hpack-test-case.

var seconds = 60.0;
var seed = 1;
var target = "all";
long? only = null;
long maxIterations = long.MaxValue;
var corpusStories = 8;
var slow = TimeSpan.FromSeconds(5);
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--target": target = Next(); break;
            case "--only": only = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--iterations": maxIterations = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--corpus-stories": corpusStories = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--help" or "-h":
                Console.WriteLine("usage: Fuzz [--seconds S] [--seed N] [--target all|" + string.Join("|", Targets.All.Select(t => t.Name)) + "] [--only ITERATION] [--iterations N] [--corpus-stories N]");
                return 0;
            default: throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"fuzz: {e.Message} (--help for usage)");
    return 2;
}

var chosen = target == "all" ? Targets.All : Targets.All.Where(t => t.Name == target).ToArray();
if (chosen.Length == 0)
{
    Console.Error.WriteLine($"fuzz: no target {target}; targets: {string.Join(", ", Targets.All.Select(t => t.Name))}");
    return 2;
}

var seeds = Seeds.Load(corpusStories);
Console.WriteLine($"fuzz: seed {seed}; seeds: {seeds.Blocks.Count} HPACK blocks from {seeds.Stories.Count} stories (all decode to their fields), {seeds.Frames.Count} frame inputs, {seeds.ClientTraffic.Count} client and {seeds.ServerTraffic.Count} server streams");

var failed = false;
foreach (var (name, run) in chosen)
{
    var budget = TimeSpan.FromSeconds(seconds / chosen.Length);
    var clock = Stopwatch.StartNew();
    long iterations = 0;
    for (var iteration = only ?? 0; only is null ? clock.Elapsed < budget && iteration < maxIterations : iteration == only; iteration++)
    {
        var rng = Mutator.For(seed, name, iteration);
        byte[] input = [];
        string? broken;
        var started = clock.Elapsed;
        try { broken = run(rng, seeds, out input); }
        catch (Exception e) { broken = "no exception: " + e; }
        var took = clock.Elapsed - started;
        if (broken is null && took > slow) broken = $"no slow input: took {took.TotalSeconds:F1} s";
        iterations++;
        if (broken is null && only is null) continue;
        if (broken is null)
        {
            Console.WriteLine($"{name} iteration {iteration}: ok ({input.Length} octets: {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 2048)))})");
            break;
        }
        failed = true;
        Console.WriteLine($"FUZZ BREAK in {name}, seed {seed}, iteration {iteration}");
        Console.WriteLine($"  invariant: {broken}");
        Console.WriteLine($"  input ({input.Length} octets): {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 4096)))}{(input.Length > 4096 ? "..." : "")}");
        // The seeds depend on the corpus and on how many of its stories are read: both go in the reproducer.
        var corpus = Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") is { Length: > 0 } c ? $"HPACK_TEST_CASE_DIR={c} " : "";
        Console.WriteLine($"  reproduce: {corpus}dotnet run -c Release --project tools/Fuzz -- --target {name} --seed {seed} --corpus-stories {corpusStories} --only {iteration}");
        break;
    }
    var rate = iterations / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
    if (only is null) Console.WriteLine($"{name,-18} {iterations,10:N0} inputs in {clock.Elapsed.TotalSeconds,5:F1} s: {rate,10:N0} inputs/s{(failed ? "  BROKEN" : "")}");
    if (failed) break;
}
return failed ? 1 : 0;
