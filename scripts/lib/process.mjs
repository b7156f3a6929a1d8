// @ts-check
// Child processes for every script: one way to run a command and wait for it (inherited or captured
// output, a time limit with an optional grace period before SIGKILL), and one way to start a
// long-lived server in its own process group and stop the whole group.
import { spawn, spawnSync } from 'node:child_process';

/**
 * @typedef {object} RunOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env]  the whole environment (default: this process's)
 * @property {boolean} [capture]  collect stdout/stderr as text instead of printing them
 * @property {number} [timeoutMs]  then `killSignal` is sent (the result says timedOut)
 * @property {NodeJS.Signals} [killSignal]  default SIGTERM
 * @property {number} [graceMs]  after `killSignal`, SIGKILL when still running this much later
 */

/**
 * @typedef {object} RunResult
 * @property {number} code  exit code; 128 when killed by a signal, 127 when it could not start
 * @property {NodeJS.Signals | null} signal
 * @property {boolean} timedOut
 * @property {Error} [error]  set when the command could not be started
 * @property {string} stdout  '' unless `capture`
 * @property {string} stderr  '' unless `capture`
 */

/**
 * Runs a command asynchronously (this process keeps serving, e.g. a fake service in it) and
 * resolves when it ended; never rejects. stdin is closed.
 * @param {string} cmd
 * @param {string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
export function run(cmd, args, options = {}) {
  const { cwd, env, capture = false, timeoutMs, killSignal = 'SIGTERM', graceMs } = options;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    let timedOut = false;
    let settled = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill(killSignal);
            if (graceMs !== undefined) setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
          }, timeoutMs);
    /** @param {RunResult} result */
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => settle({ code: 127, signal: null, timedOut, error, stdout, stderr }));
    // Captured output is complete only at 'close'; inherited output needs no wait past 'exit'.
    child.on(capture ? 'close' : 'exit', (code, signal) =>
      settle({ code: code ?? 128, signal, timedOut, stdout, stderr }),
    );
  });
}

/**
 * Runs a command and blocks until it ended (spawnSync). Output is printed, or with `capture`
 * returned as text.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, capture?: boolean, timeoutMs?: number }} [options]
 * @returns {{ status: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, error?: Error }}
 */
export function runSync(cmd, args, options = {}) {
  const { cwd, env, capture = false, timeoutMs } = options;
  const res = spawnSync(cmd, args, {
    cwd,
    env: env ?? process.env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  return {
    status: res.status,
    signal: res.signal,
    stdout: res.stdout ?? '',
    stderr: res.stderr ?? '',
    ...(res.error ? { error: res.error } : {}),
  };
}

/**
 * Starts a long-lived command as the leader of its own process group (setsid), so that stopping
 * it reaches everything it started (servers, their helpers).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, stdio: import('node:child_process').StdioOptions }} options
 * @returns {{ pid: number, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>, hasExited: () => { code: number | null, signal: NodeJS.Signals | null } | null, killGroup: (signal: NodeJS.Signals) => boolean, groupAlive: () => boolean }}
 */
export function spawnGroup(cmd, args, options) {
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: options.stdio,
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not spawn ${cmd}`);
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  let ended = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      ended = { code, signal };
      resolve(ended);
    });
  });
  return {
    pid: pgid,
    exited: /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */ (exited),
    hasExited: () => ended,
    killGroup: (signal) => killGroup(pgid, signal),
    groupAlive: () => groupAlive(pgid),
  };
}

/**
 * Sends a signal to a whole process group; false when the group is gone.
 * @param {number} pgid
 * @param {NodeJS.Signals} signal
 */
export function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: group is gone
  }
}

/**
 * Whether a process group still has a live (non-zombie) member.
 * @param {number} pgid
 */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    // Zombies (PID 1 here may not reap) still count for kill(0); check for live members.
    const res = spawnSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' });
    if (res.status !== 0 && !res.stdout) return false;
    return res.stdout
      .split('\n')
      .map((s) => s.trim())
      .some((s) => s && !s.startsWith('Z'));
  } catch {
    return false;
  }
}
