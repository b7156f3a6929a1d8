/**
 * Shared bits of the benchmark drivers (run by scripts/bench.mjs as child processes, one
 * measurement each): memory figures from /proc, and the one JSON line a driver prints at the end.
 */
import { readFileSync } from 'node:fs';

/** A field of /proc/self/status in kB (VmRSS: now, VmHWM: peak so far); 0 where /proc is missing. */
export function procStatusKb(field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The driver's result: one JSON line on stdout, parsed by the orchestrator. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs a driver's main, turning a failure into exit code 1 with the message on stderr. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** Reads `--name value` pairs (every option of a driver is required). */
export function args(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (key && value !== undefined) out[key] = value;
  }
  for (const name of names) if (!(name in out)) throw new Error(`missing --${name}`);
  return out;
}
