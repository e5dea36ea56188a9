/**
 * Command-line plumbing shared by the examples: the common flags (`--quick`, `--full`,
 * `--seed N`), a wall + CPU stopwatch, and running `main` only when the file is the entry point
 * (the tests import the same files and call `run` directly).
 */
import { pathToFileURL } from 'node:url';

/** The parsed command line of an example. */
export interface ExampleFlags {
  /** `--quick` (and not `--full`). */
  readonly quick: boolean;
  /** `--seed N`, a non-negative integer; default 1. */
  readonly seed: number;
  /** Whether a bare flag (e.g. `--no-holidays`) is present. */
  has(name: string): boolean;
  /** The value after a flag, or undefined when the flag is absent; throws when the value is missing. */
  value(name: string): string | undefined;
}

/**
 * Parses the example flags.
 * @param argv - the arguments after the script (default: `process.argv.slice(2)`).
 * @returns the flags.
 * @throws Error naming the flag when `--seed` (or a flag read with `value`) has no valid value.
 */
export function exampleFlags(argv: readonly string[] = process.argv.slice(2)): ExampleFlags {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const seedText = value('--seed');
  const seed = seedText === undefined ? 1 : Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${JSON.stringify(seedText)}`);
  return { quick: argv.includes('--quick') && !argv.includes('--full'), seed, has: (name) => argv.includes(name), value };
}

/**
 * Starts a wall-clock + CPU stopwatch.
 * @returns a function giving the seconds elapsed since the call (wall, and user + system CPU).
 */
export function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

/**
 * Runs `main` when the calling module is the script node was started with; reports a failure on
 * stderr with exit code 1.
 * @param moduleUrl - the caller's `import.meta.url`.
 * @param main - the example's entry point.
 */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  const entry = process.argv[1];
  if (entry === undefined || moduleUrl !== pathToFileURL(entry).href) return;
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
