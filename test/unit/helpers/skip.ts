/**
 * The only way a test may skip (`this.skip()`, `it.skip` and `describe.skip` are not used anywhere
 * else in test/).
 *
 * `skipBecause(this, 'platform', detail)` records the reason on the skipped test — or, from a
 * `before` hook, on its suite, which covers every test inside — then skips. The reporters read it:
 * ./resultsReporter.ts (unit suite) and test/integration/index.ts (host suite) write
 * it into the results JSON as `skip: { reason, detail }`, and scripts/test.mjs decides:
 *
 *   - a pending test counts as "skipped" only when its reason is accepted: `platform`, recorded
 *     on a machine that is not linux-x64 (the reference platform, where everything must run);
 *   - with CI=true nothing may skip: every pending test counts as failed;
 *   - a pending test without a recorded reason counts as failed.
 *
 * It also prints one line `MINERU-SKIP platform: <detail> — <title>` so a log shows why.
 *
 * The record lives under `Symbol.for('mineru.skip')`, so that it is found even when a suite and
 * the reporter load two copies of this module (different paths to out/).
 */
import type { Context, Runnable, Suite } from 'mocha';

/** The reasons a skip may give. Only a platform the project cannot run a test on is accepted. */
export type SkipReason = 'platform';

export interface SkipRecord {
  reason: SkipReason;
  detail: string;
}

const SKIP_KEY = Symbol.for('mineru.skip');

type Annotated = { [SKIP_KEY]?: SkipRecord };

/** `linux-x64`, `darwin-arm64`, `win32-x64`, … */
export const PLATFORM = `${process.platform}-${process.arch}`;
/** The platform where every test must run: a skip recorded here is never accepted. */
export const REFERENCE_PLATFORM = 'linux-x64';
export const onReferencePlatform = PLATFORM === REFERENCE_PLATFORM;

/**
 * Skips the current test (inside `it`/`beforeEach`) or the whole suite (inside `before`), with a
 * reason the test runner can check. Never returns.
 */
export function skipBecause(ctx: Context, reason: SkipReason, detail: string): never {
  const record: SkipRecord = { reason, detail };
  // In a `before all` hook the skip covers the suite (mocha marks all its tests pending); in a
  // `before each` hook or a test, the one test. (In a `before all` hook mocha sets currentTest to
  // the suite's first test, so the hook's own title tells them apart.)
  const runnable: Runnable | undefined = ctx.test;
  const beforeAll =
    (runnable as { type?: string } | undefined)?.type === 'hook' &&
    runnable?.title.startsWith('"before all" hook');
  const target: Runnable | Suite | undefined = beforeAll ? runnable?.parent : (ctx.currentTest ?? runnable);
  if (target) (target as unknown as Annotated)[SKIP_KEY] = record;
  console.log(`MINERU-SKIP ${reason}: ${detail} — ${target?.fullTitle() ?? '(unknown test)'}`);
  return ctx.skip();
}

/** The skip recorded on a test or on one of its suites, if any. */
export function skipRecordOf(runnable: Runnable): SkipRecord | undefined {
  for (let node: Runnable | Suite | undefined = runnable; node; node = node.parent) {
    const record = (node as unknown as Annotated)[SKIP_KEY];
    if (record) return record;
  }
  return undefined;
}

/**
 * For a test that needs a tool the project's scripts install (scripts/install-test-tools.sh): when
 * `present` is false, fails on the reference platform (it must run there) and skips for the
 * platform elsewhere.
 */
export function requireTool(ctx: Context, present: boolean, tool: string, install: string): void {
  if (present) return;
  if (onReferencePlatform) {
    throw new Error(`${tool} is missing on ${PLATFORM}, where this test must run: ${install}`);
  }
  skipBecause(ctx, 'platform', `${tool} is not available on ${PLATFORM} (${install})`);
}
