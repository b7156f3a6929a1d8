/**
 * Which Markdown lines render each content_list block: a pure function, no I/O.
 *
 * The rules (issue 15): content_list order is Markdown order; images are found by their unique
 * `img_path`, text by its normalised content, tables and equations by their bodies (keys.ts); a
 * block that could be more than one place is left unmatched, never matched to the wrong one.
 *
 * How: as in patience diff, a block whose key occurs exactly once among the blocks and once among
 * the Markdown units of a range is an anchor; the longest run of anchors in the same order on both
 * sides is kept, and the gaps between them are searched again the same way, where repeated keys
 * may have become unique. A gap whose blocks and units are left with the same keys in the same
 * order is matched one to one. Cost: O(n log n) for n blocks, recursion bounded.
 */
import type { ContentBlock } from './contentList';
import { KeyTable } from './intern';
import { blockKeys, normalizeText } from './keys';
import type { SegmentTable } from './markdownSegments';
import { segmentTable } from './markdownSegments';

export type UnmatchedWhy = 'discarded' | 'empty' | 'notFound' | 'ambiguous';

export type BlockMatch =
  | { index: number; matched: true; startLine: number; endLine: number }
  | { index: number; matched: false; why: UnmatchedWhy };

export interface MatchResult {
  /** By block index (same length and order as the blocks given). */
  blocks: BlockMatch[];
  /** Blocks that are meant to be in the Markdown (not discarded). */
  eligible: number;
  matched: number;
}

const MAX_DEPTH = 12;

/** Indices (into `seq`) of one longest strictly increasing subsequence. */
function longestIncreasing(seq: readonly number[]): number[] {
  const tailIdx: number[] = [];
  const prev = new Int32Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i] as number;
    let lo = 0;
    let hi = tailIdx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((seq[tailIdx[mid] as number] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tailIdx[lo - 1] as number;
    tailIdx[lo] = i;
  }
  const out: number[] = [];
  let k = tailIdx.length > 0 ? (tailIdx[tailIdx.length - 1] as number) : -1;
  while (k >= 0) {
    out.push(k);
    k = prev[k] as number;
  }
  return out.reverse();
}

interface Work {
  /** Key id of each eligible block (by position in the eligible list), -1 none. */
  bKey: Int32Array;
  /** Key ids of segment s: sKeyFlat[sKeyStart[s] … sKeyStart[s + 1]). */
  sKeyStart: Int32Array;
  sKeyFlat: Int32Array;
  /** Segment matched to each eligible block, -1 none. */
  pair: Int32Array;
  /** Scratch by key id, all zero between calls: counts among blocks and segments, last segment. */
  bCount: Int32Array;
  sCount: Int32Array;
  sAt: Int32Array;
}

/** Aligns eligible blocks [bLo, bHi) with segments [sLo, sHi). */
function align(w: Work, bLo: number, bHi: number, sLo: number, sHi: number, depth: number): void {
  if (bLo >= bHi || sLo >= sHi) return;
  const { bKey, sKeyStart, sKeyFlat, bCount, sCount, sAt } = w;
  let any = false;
  for (let b = bLo; b < bHi; b++) {
    const k = bKey[b] as number;
    if (k >= 0) {
      bCount[k]!++;
      any = true;
    }
  }
  if (!any) return;
  const from = sKeyStart[sLo] as number;
  const to = sKeyStart[sHi] as number;
  for (let i = from; i < to; i++) {
    const k = sKeyFlat[i] as number;
    if (bCount[k] === 0) continue;
    sCount[k]!++;
    // Which segment: found by a search only when needed, below; record the flat position.
    sAt[k] = i;
  }
  const anchorsB: number[] = [];
  const anchorsS: number[] = [];
  for (let b = bLo; b < bHi; b++) {
    const k = bKey[b] as number;
    if (k < 0 || bCount[k] !== 1 || sCount[k] !== 1) continue;
    anchorsB.push(b);
    anchorsS.push(segmentOfFlat(sKeyStart, sLo, sHi, sAt[k] as number));
  }
  let oneToOneOk = false;
  let pairs: number[] | undefined;
  if (anchorsB.length === 0) [oneToOneOk, pairs] = oneToOne(w, bLo, bHi, sLo, sHi);
  // Back to all zero before recursing (the scratch arrays are shared).
  for (let b = bLo; b < bHi; b++) {
    const k = bKey[b] as number;
    if (k >= 0) bCount[k] = 0;
  }
  for (let i = from; i < to; i++) sCount[sKeyFlat[i] as number] = 0;
  if (anchorsB.length === 0) {
    if (oneToOneOk && pairs) for (let i = 0; i < pairs.length; i += 2) w.pair[pairs[i]!] = pairs[i + 1]!;
    return;
  }
  const keep = longestIncreasing(anchorsS);
  let prevB = bLo - 1;
  let prevS = sLo - 1;
  for (const i of keep) {
    const b = anchorsB[i] as number;
    const s = anchorsS[i] as number;
    w.pair[b] = s;
    if (depth < MAX_DEPTH) align(w, prevB + 1, b, prevS + 1, s, depth + 1);
    prevB = b;
    prevS = s;
  }
  if (depth < MAX_DEPTH) align(w, prevB + 1, bHi, prevS + 1, sHi, depth + 1);
}

/** The segment in [sLo, sHi) whose keys hold flat position `flat`. */
function segmentOfFlat(sKeyStart: Int32Array, sLo: number, sHi: number, flat: number): number {
  let lo = sLo;
  let hi = sHi - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((sKeyStart[mid] as number) <= flat) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * No anchor in the range: when its blocks and its units that share any of their keys come in the
 * same number with the same keys in the same order, they are each other. Returns the pairs
 * (block, segment, …) to make; called while the range's counts are set.
 */
function oneToOne(w: Work, bLo: number, bHi: number, sLo: number, sHi: number): [boolean, number[]] {
  const blocks: number[] = [];
  for (let b = bLo; b < bHi; b++) if ((w.bKey[b] as number) >= 0) blocks.push(b);
  const pairs: number[] = [];
  let next = 0;
  for (let s = sLo; s < sHi; s++) {
    const start = w.sKeyStart[s] as number;
    const end = w.sKeyStart[s + 1] as number;
    let shares = false;
    let has = false;
    const want = next < blocks.length ? (w.bKey[blocks[next] as number] as number) : -1;
    for (let i = start; i < end; i++) {
      const k = w.sKeyFlat[i] as number;
      if ((w.bCount[k] as number) > 0) shares = true;
      if (k === want) has = true;
    }
    if (!shares) continue;
    if (!has) return [false, []];
    pairs.push(blocks[next] as number, s);
    next++;
  }
  return [next === blocks.length, pairs];
}

/** Matches `blocks` (content_list order) to the lines of `markdown`. */
export function matchBlocks(blocks: readonly ContentBlock[], markdown: string): MatchResult {
  // Every key string gets one id, once: the units' keys while cutting, the blocks' by lookup.
  const ids = new KeyTable();
  const table = segmentTable(markdown, (k) => ids.intern(k));
  return matchTable(blocks, table, ids);
}

/**
 * The key id a block is found by when a unit near where it is expected shows the very same text
 * (or table, or image path) as written: that unit's key is the block's first key, with no key to
 * build. -1 when none does (then the block's keys are built and looked up).
 */
function idFromNear(b: ContentBlock, t: SegmentTable, from: number): [number, number] {
  const to = Math.min(t.count, from + 3);
  for (let u = from; u < to; u++) {
    let id = -1;
    switch (b.kind) {
      case 'heading':
        if (t.hId[u] !== -1 && b.text === t.raw[u]) id = t.hId[u] as number;
        break;
      case 'text':
      case 'unknown':
        if (t.tId[u] !== -1 && b.text === t.raw[u]) id = t.tId[u] as number;
        break;
      case 'image':
      case 'chart':
        if (t.imgId[u] !== -1 && b.imgPath === t.imgRaw[u]) id = t.imgId[u] as number;
        break;
      case 'table':
        if (t.htmlId[u] !== -1 && b.tableBody !== undefined && b.tableBody === t.raw[u])
          id = t.htmlId[u] as number;
        break;
      default:
        return [-1, from];
    }
    if (id >= 0) return [id, u + 1];
  }
  return [-1, from];
}

function matchTable(blocks: readonly ContentBlock[], t: SegmentTable, ids: KeyTable): MatchResult {
  const count = t.count;
  const sKeyStart = Int32Array.from(t.keyStart);
  const sKeyFlat = Int32Array.from(t.keyFlat);
  const result: BlockMatch[] = new Array<BlockMatch>(blocks.length);
  const eligible: number[] = [];
  const eligibleKey: number[] = [];
  let near = 0;
  for (const b of blocks) {
    if (b.kind === 'discarded') {
      result[b.index] = { index: b.index, matched: false, why: 'discarded' };
      continue;
    }
    const [quick, next] = idFromNear(b, t, near);
    if (quick >= 0) {
      near = next;
      eligible.push(b.index);
      eligibleKey.push(quick);
      continue;
    }
    const keys = blockKeys(b);
    if (keys.length === 0) {
      result[b.index] = { index: b.index, matched: false, why: 'empty' };
      continue;
    }
    // The first key the Markdown has at all; a block the Markdown cannot show is not found.
    let id = -1;
    for (const k of keys) {
      const found = ids.get(k);
      if (found !== undefined) {
        id = found;
        break;
      }
    }
    eligible.push(b.index);
    eligibleKey.push(id);
  }
  const w: Work = {
    bKey: Int32Array.from(eligibleKey),
    sKeyStart,
    sKeyFlat,
    pair: new Int32Array(eligible.length).fill(-1),
    bCount: new Int32Array(ids.size),
    sCount: new Int32Array(ids.size),
    sAt: new Int32Array(ids.size),
  };
  align(w, 0, eligible.length, 0, count, 0);

  // A unit two blocks claim (through different keys) is neither's.
  const claims = new Uint8Array(count);
  for (const s of w.pair) if (s >= 0 && claims[s]! < 2) claims[s]!++;
  for (let i = 0; i < w.pair.length; i++)
    if ((w.pair[i] as number) >= 0 && claims[w.pair[i]!] === 2) w.pair[i] = -2;
  const used = new Uint8Array(count);
  for (const s of w.pair) if (s >= 0) used[s] = 1;
  // Keys of blocks: a unit showing one of them is somebody's, never a caption to take over.
  // Key ids some block is matched by (a key no unit has cannot be a unit's).
  const isBlockKey = new Uint8Array(ids.size);
  for (const k of w.bKey) if (k >= 0) isBlockKey[k] = 1;
  // Lines of each eligible block (by position), -1 when unmatched.
  const startOf = new Int32Array(eligible.length).fill(-1);
  const endOf = new Int32Array(eligible.length).fill(-1);
  eligible.forEach((index, i) => {
    const s = w.pair[i] as number;
    if (s >= 0) {
      startOf[i] = t.start[s] as number;
      endOf[i] = t.end[s] as number;
    } else
      result[index] = {
        index,
        matched: false,
        why: (w.bKey[i] as number) < 0 && s !== -2 ? 'notFound' : 'ambiguous',
      };
  });
  // Captions and footnotes written as paragraphs of their own join their block's lines: a table's
  // captions just before it, its footnotes just after; code's captions just after. A paragraph two blocks could take (one's footnote, the next one's caption) is
  // neither's.
  const takes = (j: number, wanted: Set<number>): boolean => {
    if (j < 0 || j >= count || used[j]) return false;
    const id = t.tId[j] as number;
    return id >= 0 && wanted.has(id) && isBlockKey[id] !== 1;
  };
  const keyed = (list: readonly string[]): Set<number> => {
    const out = new Set<number>();
    for (const text of list) {
      const id = ids.get(`t:${normalizeText(text)}`);
      if (id !== undefined) out.add(id);
    }
    return out;
  };
  const extClaims = new Map<number, number>();
  const extensions: { i: number; before: number[]; after: number[] }[] = [];
  for (let i = 0; i < eligible.length; i++) {
    if ((startOf[i] as number) < 0) continue;
    const block = byIndex(blocks, eligible[i] as number);
    if (!block || (block.captions.length === 0 && block.footnotes.length === 0)) continue;
    const s = w.pair[i] as number;
    // MinerU writes a figure's captions in the figure's own paragraph (a hard break apart).
    if (block.kind !== 'table' && block.kind !== 'code') continue;
    const table = block.kind === 'table';
    const beforeList = table ? block.captions : [];
    const afterList = table ? block.footnotes : block.captions;
    const ext = { i, before: [] as number[], after: [] as number[] };
    const wantedBefore = keyed(beforeList);
    for (let j = s - 1; j >= s - Math.min(2, beforeList.length) && takes(j, wantedBefore); j--)
      ext.before.push(j);
    const wantedAfter = keyed(afterList);
    for (let j = s + 1; j <= s + Math.min(2, afterList.length) && takes(j, wantedAfter); j++)
      ext.after.push(j);
    for (const j of [...ext.before, ...ext.after]) extClaims.set(j, (extClaims.get(j) ?? 0) + 1);
    extensions.push(ext);
  }
  for (const ext of extensions) {
    for (const j of ext.before) {
      if (extClaims.get(j) !== 1) break;
      startOf[ext.i] = t.start[j] as number;
    }
    for (const j of ext.after) {
      if (extClaims.get(j) !== 1) break;
      endOf[ext.i] = t.end[j] as number;
    }
  }
  let matched = 0;
  for (let i = 0; i < eligible.length; i++) {
    const start = startOf[i] as number;
    if (start < 0) continue;
    const index = eligible[i] as number;
    matched++;
    result[index] = { index, matched: true, startLine: start, endLine: endOf[i] as number };
  }
  // Blocks given out of index order or with gaps still get an entry.
  for (let i = 0; i < result.length; i++) result[i] ??= { index: i, matched: false, why: 'notFound' };
  const discarded = blocks.filter((b) => b.kind === 'discarded').length;
  return { blocks: result, eligible: blocks.length - discarded, matched };
}

function byIndex(blocks: readonly ContentBlock[], index: number): ContentBlock | undefined {
  const direct = blocks[index];
  return direct?.index === index ? direct : blocks.find((b) => b.index === index);
}

type Matched = Extract<BlockMatch, { matched: true }>;

/**
 * Markdown → source: a lookup of the blocks whose lines meet [fromLine, toLine], in line order.
 * Matched ranges never overlap (each unit goes to one block), so a binary search finds the first.
 */
export function lineIndex(result: MatchResult): (fromLine: number, toLine: number) => number[] {
  const ranges = result.blocks
    .filter((m): m is Matched => m.matched)
    .sort((a, b) => a.startLine - b.startLine);
  return (fromLine, toLine) => {
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ranges[mid] as Matched).endLine < fromLine) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < ranges.length && (ranges[i] as Matched).startLine <= toLine; i++)
      out.push((ranges[i] as Matched).index);
    return out;
  };
}
