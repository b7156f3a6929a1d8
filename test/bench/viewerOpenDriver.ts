/**
 * The extension's own work when the viewer opens a result: the fake's N-page result (its
 * content_list.json, layout.json and full.md, as the UI test's `pages-600`), read, matched and
 * turned into the messages the page gets (the first page's blocks, then the rest). Since the page
 * loads the PDF while this runs, it is no longer on the way to the first page drawn (the UI test
 * test/ui/viewerScale.test.ts measures that, from the click); this is the part that delays the
 * boxes. First call in a fresh process, as when the viewer opens.
 *
 *   node out/test/bench/viewerOpenDriver.js --pages 600
 */
import { inflateRawSync } from 'node:zlib';
import { readContentList } from '../../src/core/viewer/contentList';
import { readLayout } from '../../src/core/viewer/layout';
import { lineIndex, matchBlocks } from '../../src/core/viewer/matcher';
import { buildViewerModel, splitModel } from '../../src/core/viewer/viewerModel';
import { resultEntries } from '../fake-mineru/content';
import { args, report, runMain } from './common';

function main(): Promise<void> {
  const a = args(['pages']);
  const entries = resultEntries({
    title: 'bench',
    innerUuid: 'bench',
    pages: Number(a.pages),
    modelVersion: 'pipeline',
    extraFormats: [],
  });
  const text = (suffix: string): string => {
    const e = entries.find((x) => x.name.endsWith(suffix));
    if (!e?.data) throw new Error(`the fake's result has no ${suffix}`);
    return (e.method === 8 ? inflateRawSync(e.data) : e.data).toString('utf8');
  };
  const listText = text('content_list.json');
  const layoutText = text('layout.json');
  const markdown = text('full.md');
  const t0 = performance.now();
  const list = readContentList(listText);
  const layout = readLayout(layoutText);
  if (!list.ok || !layout.ok) throw new Error('the fake result was refused');
  const t1 = performance.now();
  const match = matchBlocks(list.value, markdown);
  lineIndex(match);
  const t2 = performance.now();
  const model = buildViewerModel(list.value, match, layout.value);
  const t3 = performance.now();
  // postMessage serialises what it is given: JSON as a stand-in for its cost and size.
  const { first, rest } = splitModel(model, 1);
  const firstBytes = JSON.stringify(first).length;
  const restBytes = JSON.stringify(rest).length;
  const t4 = performance.now();
  report({
    pages: Number(a.pages),
    blocks: list.value.length,
    readMs: t1 - t0,
    matchMs: t2 - t1,
    modelMs: t3 - t2,
    messagesMs: t4 - t3,
    totalMs: t4 - t0,
    firstBytes,
    restBytes,
    matched: match.matched,
    eligible: match.eligible,
  });
  return Promise.resolve();
}

runMain(main);
