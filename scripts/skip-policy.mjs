// @ts-check
// The skip policy of `npm test` (scripts/test.mjs), kept apart so that a unit test can check it
// (test/unit/skipPolicy.test.ts).
//
// A pending test counts as "skipped" only when it carries an accepted reason, recorded by
// test/unit/helpers/skip.ts (skipBecause) and written into the suite's results as
// `skip: { reason, detail }`: the reason "platform", on a machine that is not the reference
// platform (linux-x64, where every test must run). With CI set, nothing may skip. Every other
// pending test counts as failed.

export const REFERENCE_PLATFORM = 'linux-x64';

/** CI=true (or any value but "", "0" and "false"). */
export function isCi(env) {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/** Why a pending test may not count as skipped, or undefined when its skip is accepted. */
export function refusal(test, { ci, platform }) {
  if (!test.skip) return 'a skip must give a reason (test/unit/helpers/skip.ts)';
  if (ci) return 'CI is set: nothing may skip on CI';
  if (test.skip.reason !== 'platform') return `the reason "${test.skip.reason}" is not accepted`;
  if (platform === REFERENCE_PLATFORM) return `${platform} must run every test`;
  return undefined;
}

/**
 * Counts a suite's results ({ passed, failed, pending, tests? }) with the policy. Returns
 * { passed, failed, skipped, verdicts }; verdicts lists every pending test and how it counted.
 */
export function applySkipPolicy(results, { ci, platform }) {
  const passed = results.passed ?? 0;
  let failed = results.failed ?? 0;
  let skipped = 0;
  const verdicts = [];
  const pendingTests = (results.tests ?? []).filter((t) => t.state === 'pending');
  for (const t of pendingTests) {
    const refused = refusal(t, { ci, platform });
    if (refused) failed++;
    else skipped++;
    const why = t.skip ? `${t.skip.reason}: ${t.skip.detail}` : 'no recorded reason';
    verdicts.push({ title: t.title, why, ...(refused ? { refused } : {}) });
  }
  // Pending tests the results do not list (a runner that keeps only counts): none has a reason.
  const unlisted = Math.max(0, (results.pending ?? 0) - pendingTests.length);
  if (unlisted > 0) {
    failed += unlisted;
    verdicts.push({
      title: `${unlisted} pending test(s)`,
      why: 'no recorded reason',
      refused: 'the results do not list them',
    });
  }
  return { passed, failed, skipped, verdicts };
}
