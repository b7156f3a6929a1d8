/**
 * The one process helper of the scripts (scripts/lib/process.mjs): captured output, exit codes, a
 * time limit with escalation to SIGKILL, a command that cannot start, and a process group stopped
 * as a whole.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  error?: Error;
  stdout: string;
  stderr: string;
}
interface ProcessHelper {
  run(
    cmd: string,
    args: string[],
    opts?: { capture?: boolean; timeoutMs?: number; killSignal?: NodeJS.Signals; graceMs?: number },
  ): Promise<RunResult>;
  runSync(
    cmd: string,
    args: string[],
    opts?: { capture?: boolean; timeoutMs?: number },
  ): { status: number | null; stdout: string; stderr: string; error?: Error };
  spawnGroup(
    cmd: string,
    args: string[],
    opts: { stdio: 'ignore' },
  ): {
    pid: number;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    killGroup(signal: NodeJS.Signals): boolean;
    groupAlive(): boolean;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('scripts: process helper', () => {
  let helper: ProcessHelper;
  before(async () => {
    const url = pathToFileURL(path.join(ROOT, 'scripts', 'lib', 'process.mjs')).href;
    helper = (await import(url)) as ProcessHelper;
  });

  it('captures output and the exit code', async () => {
    const res = await helper.run('sh', ['-c', 'echo out; echo err >&2; exit 3'], { capture: true });
    assert.deepEqual(
      { code: res.code, timedOut: res.timedOut, stdout: res.stdout, stderr: res.stderr },
      { code: 3, timedOut: false, stdout: 'out\n', stderr: 'err\n' },
    );
    const sync = helper.runSync('sh', ['-c', 'echo sync; exit 2'], { capture: true });
    assert.equal(sync.status, 2);
    assert.equal(sync.stdout, 'sync\n');
  });

  it('stops a command at its time limit, with SIGKILL when it ignores the first signal', async () => {
    const started = Date.now();
    const res = await helper.run('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], {
      timeoutMs: 100,
      killSignal: 'SIGTERM',
      graceMs: 200,
    });
    assert.equal(res.timedOut, true);
    assert.equal(res.signal, 'SIGKILL');
    assert.equal(res.code, 128);
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const res = await helper.run('mineru-no-such-command', [], { capture: true });
    assert.equal(res.code, 127);
    assert.match(res.error?.message ?? '', /ENOENT/);
  });

  it('stops a whole process group, children included', async () => {
    const group = helper.spawnGroup('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
    await sleep(100);
    assert.equal(group.groupAlive(), true);
    assert.equal(group.killGroup('SIGKILL'), true);
    const ended = await group.exited;
    assert.equal(ended.signal, 'SIGKILL');
    for (let i = 0; i < 40 && group.groupAlive(); i++) await sleep(50);
    // No live member is left (killed children may stay zombies here: PID 1 need not reap them).
    assert.equal(group.groupAlive(), false);
  });
});
