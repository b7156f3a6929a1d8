/**
 * Block matcher driver: a MinerU-style document of N blocks (test/unit/helpers/mineruDoc.ts: every
 * kind, repeated paragraphs, discarded headers) matched to its Markdown by the pure matcher of the
 * source viewer. Reports the first call in a fresh process (cold, as when the viewer opens) and the
 * median of the next calls, and the share of blocks matched.
 *
 *   node out/test/bench/matcherDriver.js --blocks 50000 --repeat 5
 */
import { readContentListValue } from '../../src/core/viewer/contentList';
import { matchBlocks } from '../../src/core/viewer/matcher';
import { renderDoc, syntheticDoc } from '../unit/helpers/mineruDoc';
import { args, report, runMain } from './common';

function main(): Promise<void> {
  const a = args(['blocks', 'repeat']);
  const doc = renderDoc(syntheticDoc(Number(a.blocks)));
  const parsed = readContentListValue(JSON.parse(JSON.stringify(doc.contentList)));
  if (!parsed.ok) throw new Error(`content list refused: ${parsed.error.reason}`);
  const time = (): { ms: number; cpuMs: number; matched: number; eligible: number } => {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const r = matchBlocks(parsed.value, doc.markdown);
    const used = process.cpuUsage(cpu);
    return {
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      // CPU time of the process (main thread and the collector's helpers): steadier than wall on a busy machine.
      cpuMs: (used.user + used.system) / 1000,
      matched: r.matched,
      eligible: r.eligible,
    };
  };
  const cold = time();
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let i = 0; i < Number(a.repeat); i++) {
    const t = time();
    warm.push(t.ms);
    warmCpu.push(t.cpuMs);
  }
  warm.sort((x, y) => x - y);
  warmCpu.sort((x, y) => x - y);
  report({
    blocks: parsed.value.length,
    markdownLines: doc.markdown.split('\n').length,
    ms: cold.ms,
    warmMs: warm[Math.floor(warm.length / 2)] ?? NaN,
    warmCpuMs: warmCpu[Math.floor(warmCpu.length / 2)] ?? NaN,
    warmCpuMinMs: warmCpu[0] ?? NaN,
    matched: cold.matched,
    eligible: cold.eligible,
  });
  return Promise.resolve();
}

runMain(main);
