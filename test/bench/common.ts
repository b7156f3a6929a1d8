/**
 * Shared bits of the benchmark drivers (run by scripts/bench.mjs as child processes, one
 * measurement each): memory figures from /proc, event-loop stalls, and the one JSON line a driver
 * prints at the end.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

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

/** Resolution of the stall watch: a tick every 1 ms; a gap between two ticks minus 1 ms is a stall. */
export const STALL_RESOLUTION_MS = 1;

/** The longest and the 99th-percentile event-loop stall of a watched stretch, in ms. */
export interface StallFigures {
  stallMaxMs: number;
  stallP99Ms: number;
  /** The longest on-CPU time of the main thread between two ticks (Linux only; else undefined). */
  stallCpuMaxMs: number | undefined;
}

/** The main thread's time on the CPU so far, in ms (Linux schedstat); undefined elsewhere. */
export function mainThreadCpuMs(): number | undefined {
  try {
    const onCpuNs = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(onCpuNs) ? onCpuNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches the event loop from now until stop(): what every other extension of the host would feel.
 * Two watches: perf_hooks.monitorEventLoopDelay (the wall gap between 1 ms ticks, waits for a core
 * of a busy machine included), and a 1 ms interval reading how long the main thread itself was on
 * the CPU between two of its ticks (the stall without those waits).
 */
export function watchStalls(): { stop: () => StallFigures } {
  const loop = monitorEventLoopDelay({ resolution: STALL_RESOLUTION_MS });
  loop.enable();
  let last = mainThreadCpuMs();
  let longestCpu = 0;
  // monitorEventLoopDelay records nothing before its first tick, so a block that starts right after
  // enable() would go unseen: the interval also measures its own gaps, the first one from now.
  let lastTick = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = mainThreadCpuMs();
    if (now !== undefined && last !== undefined) longestCpu = Math.max(longestCpu, now - last);
    last = now;
    const tick = performance.now();
    longestGap = Math.max(longestGap, tick - lastTick - STALL_RESOLUTION_MS);
    lastTick = tick;
  }, STALL_RESOLUTION_MS);
  return {
    stop: () => {
      loop.disable();
      clearInterval(timer);
      const stall = (ns: number): number => Math.max(0, ns / 1e6 - STALL_RESOLUTION_MS);
      return {
        stallMaxMs: Math.max(stall(loop.max), longestGap),
        stallP99Ms: stall(loop.percentile(99)),
        stallCpuMaxMs: last === undefined ? undefined : longestCpu,
      };
    },
  };
}
