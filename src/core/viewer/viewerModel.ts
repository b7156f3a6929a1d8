/**
 * What the viewer's webview is given: plain data built from a result's content list, its layout
 * and its Markdown (no paths, no code). Each block carries its box (points where the layout agrees,
 * else the 0–1000 box), whether it is matched to Markdown lines, and a short label for the hover.
 */
import type { Bbox, BlockKind, ContentBlock } from './contentList';
import type { LayoutInfo } from './layout';
import { pointBoxes } from './layout';
import type { MatchResult } from './matcher';

export interface ViewerBlock {
  /** content_list index. */
  index: number;
  /** 0-based page. */
  page: number;
  kind: BlockKind;
  type: string;
  /** Absent when the block has no box. */
  bbox?: Bbox;
  unit: 'normalized' | 'points';
  matched: boolean;
  /** The first words of the block (for the hover), at most LABEL_CHARS characters. */
  label: string;
}

export interface ViewerHeading {
  index: number;
  page: number;
  level: number;
  text: string;
}

export interface ViewerModel {
  blocks: ViewerBlock[];
  headings: ViewerHeading[];
  /** Page sizes in points from the layout (0-based page, width, height), for placeholders. */
  pageSizes: [number, number, number][];
  /** 1 + the last page any block is on (the PDF decides the real count). */
  pagesSeen: number;
  matched: number;
  eligible: number;
}

export const LABEL_CHARS = 80;

/** `<td>a</td><td>b</td>` → `a b`. */
function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The first words of a block's visible content, on one line. */
export function blockLabel(block: ContentBlock): string {
  const raw =
    block.text ??
    block.latex ??
    block.listItems?.join(' ') ??
    block.codeBody ??
    block.captions[0] ??
    (block.tableBody ? stripTags(block.tableBody) : undefined) ??
    block.imgPath ??
    '';
  const one = raw.replace(/\s+/g, ' ').trim();
  if (one.length <= LABEL_CHARS) return one;
  const cut = one.slice(0, LABEL_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > LABEL_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

export function buildViewerModel(
  blocks: readonly ContentBlock[],
  match: MatchResult,
  layout?: LayoutInfo,
): ViewerModel {
  const points = layout ? pointBoxes(blocks, layout) : new Map<number, Bbox>();
  const out: ViewerBlock[] = [];
  const headings: ViewerHeading[] = [];
  let pagesSeen = 0;
  for (const b of blocks) {
    pagesSeen = Math.max(pagesSeen, b.page + 1);
    const exact = points.get(b.index);
    const box = exact ?? b.bbox;
    const vb: ViewerBlock = {
      index: b.index,
      page: b.page,
      kind: b.kind,
      type: b.type,
      unit: exact ? 'points' : 'normalized',
      matched: match.blocks[b.index]?.matched === true,
      label: blockLabel(b),
    };
    if (box) vb.bbox = box;
    out.push(vb);
    if (b.kind === 'heading' && b.text)
      headings.push({ index: b.index, page: b.page, level: b.textLevel, text: blockLabel(b) });
  }
  const pageSizes: [number, number, number][] = [];
  if (layout) for (const g of layout.pages.values()) pageSizes.push([g.page, g.width, g.height]);
  return { blocks: out, headings, pageSizes, pagesSeen, matched: match.matched, eligible: match.eligible };
}

/**
 * The model with only the blocks of the pages around `page` (1-based: that page and one each side),
 * and the other blocks: the first is sent at once, the rest after it.
 */
export function splitModel(model: ViewerModel, page: number): { first: ViewerModel; rest: ViewerBlock[] } {
  const near: ViewerBlock[] = [];
  const rest: ViewerBlock[] = [];
  for (const b of model.blocks) (Math.abs(b.page + 1 - page) <= 1 ? near : rest).push(b);
  return { first: { ...model, blocks: near }, rest };
}

/** The Markdown lines of a matched block, or undefined. */
export function blockLines(match: MatchResult, index: number): { start: number; end: number } | undefined {
  const m = match.blocks[index];
  return m?.matched ? { start: m.startLine, end: m.endLine } : undefined;
}

/** Which of a folder's file names are the viewer's inputs (first match of each, by name). */
export interface ResultFiles {
  contentList?: string;
  originPdf?: string;
  layout?: string;
}

export function pickResultFiles(names: readonly string[]): ResultFiles {
  const sorted = [...names].sort();
  const out: ResultFiles = {};
  const contentList = sorted.find((n) => /(^|_)content_list\.json$/i.test(n));
  const originPdf = sorted.find((n) => /(^|_)origin\.pdf$/i.test(n));
  const layout =
    sorted.find((n) => /^layout\.json$/i.test(n)) ?? sorted.find((n) => /(^|_)middle\.json$/i.test(n));
  if (contentList) out.contentList = contentList;
  if (originPdf) out.originPdf = originPdf;
  if (layout) out.layout = layout;
  return out;
}
