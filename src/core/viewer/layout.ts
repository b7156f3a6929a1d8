/**
 * Reads the page geometry of `layout.json` (cloud) / `*_middle.json` (self-hosted), guide §11:
 * `{pdf_info: [{page_idx, page_size: [w, h], para_blocks[], discarded_blocks[]}]}`, boxes in PDF
 * points with the origin top-left, on the page as displayed (MinerU renders pages with their
 * /Rotate applied, so `page_size` is the rotated size).
 *
 * MinerU writes content_list page by page as `para_blocks` then `discarded_blocks`, one entry per
 * block; where a page's counts agree, each content_list block gets its exact box in points.
 */
import type { Bbox, ContentBlock, ReadResult, ViewerIssue } from './contentList';
import { parseBbox } from './contentList';

export interface LayoutBlock {
  /** PDF points, origin top-left of the displayed page. */
  bbox: Bbox | undefined;
  /** Rotation of the block's text (VLM `angle`: 0, 90, 180, 270), 0 when absent. */
  angle: number;
  discarded: boolean;
}

export interface PageGeometry {
  /** 0-based page. */
  page: number;
  /** Page size in points, as MinerU saw the page (rotation applied). */
  width: number;
  height: number;
  /** para_blocks then discarded_blocks, in order. */
  blocks: LayoutBlock[];
}

export interface LayoutInfo {
  /** By page index; a page the file does not describe is absent. */
  pages: Map<number, PageGeometry>;
  backend?: string;
  version?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function angleOf(v: unknown): number {
  return typeof v === 'number' && [0, 90, 180, 270].includes(v) ? v : 0;
}

function readBlocks(
  list: unknown,
  discarded: boolean,
  at: number,
  out: LayoutBlock[],
  warnings: ViewerIssue[],
): void {
  if (!Array.isArray(list)) return;
  for (const raw of list) {
    if (!isRecord(raw)) {
      out.push({ bbox: undefined, angle: 0, discarded });
      continue;
    }
    const bbox = raw.bbox === undefined ? undefined : parseBbox(raw.bbox);
    if (raw.bbox !== undefined && !bbox) warnings.push({ reason: 'layout.badBbox', params: { index: at } });
    out.push({ bbox, angle: angleOf(raw.angle), discarded });
  }
}

/** Parses a decoded layout.json / middle.json. */
export function readLayoutValue(value: unknown): ReadResult<LayoutInfo> {
  if (!isRecord(value) || !Array.isArray(value.pdf_info))
    return { ok: false, error: { reason: 'layout.noPages', params: {} } };
  const warnings: ViewerIssue[] = [];
  const pages = new Map<number, PageGeometry>();
  const info = value.pdf_info as unknown[];
  for (let i = 0; i < info.length; i++) {
    const p = info[i];
    if (!isRecord(p)) return { ok: false, error: { reason: 'layout.badPage', params: { index: i } } };
    const pageIdx = p.page_idx ?? i;
    if (typeof pageIdx !== 'number' || !Number.isInteger(pageIdx) || pageIdx < 0)
      return { ok: false, error: { reason: 'layout.badPage', params: { index: i } } };
    const size = p.page_size;
    if (
      !Array.isArray(size) ||
      size.length !== 2 ||
      !size.every((n) => typeof n === 'number' && Number.isFinite(n) && n > 0)
    )
      return { ok: false, error: { reason: 'layout.badPageSize', params: { index: i } } };
    const blocks: LayoutBlock[] = [];
    readBlocks(p.para_blocks, false, i, blocks, warnings);
    readBlocks(p.discarded_blocks, true, i, blocks, warnings);
    pages.set(pageIdx, { page: pageIdx, width: size[0] as number, height: size[1] as number, blocks });
  }
  const result: LayoutInfo = { pages };
  if (typeof value._backend === 'string') result.backend = value._backend;
  if (typeof value._version_name === 'string') result.version = value._version_name;
  return { ok: true, value: result, warnings };
}

/** Parses the text of a layout.json / middle.json. */
export function readLayout(text: string): ReadResult<LayoutInfo> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, error: { reason: 'layout.notJson', params: {} } };
  }
  return readLayoutValue(value);
}

/** Whether a result file name is MinerU's middle JSON under either name. */
export function isLayoutName(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? '';
  return /^layout\.json$/i.test(base) || /(^|_)middle\.json$/i.test(base);
}

/**
 * The exact box in points of each content_list block, by block index, for the pages where the
 * layout lists as many blocks as content_list does (MinerU's pipeline merges some blocks when it
 * writes content_list; those pages keep only the normalised box).
 */
export function pointBoxes(blocks: readonly ContentBlock[], layout: LayoutInfo): Map<number, Bbox> {
  const byPage = new Map<number, ContentBlock[]>();
  for (const b of blocks) {
    const list = byPage.get(b.page);
    if (list) list.push(b);
    else byPage.set(b.page, [b]);
  }
  const out = new Map<number, Bbox>();
  for (const [page, list] of byPage) {
    const geo = layout.pages.get(page);
    if (!geo || geo.blocks.length !== list.length) continue;
    list.forEach((b, i) => {
      const box = geo.blocks[i]?.bbox;
      const discarded = b.kind === 'discarded';
      if (box && geo.blocks[i]?.discarded === discarded) out.set(b.index, box);
    });
  }
  return out;
}
