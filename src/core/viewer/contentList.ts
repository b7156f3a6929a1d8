/**
 * Reads MinerU's `*_content_list.json` (guide §11): a flat array of blocks in reading order, the
 * order of the Markdown. Each block becomes a typed `ContentBlock`; malformed input is rejected with
 * a reason code and the values that locate the fault (no sentences here: the glue words them).
 */

/** A box `[x0, y0, x1, y1]`, origin top-left; in content_list on a 0–1000 grid of the page. */
export type Bbox = readonly [number, number, number, number];

/** What a block is, for colouring and matching. */
export type BlockKind =
  'heading' | 'text' | 'image' | 'chart' | 'table' | 'equation' | 'list' | 'code' | 'discarded' | 'unknown';

/** Blocks MinerU keeps in content_list but leaves out of the Markdown. */
export const DISCARDED_TYPES: ReadonlySet<string> = new Set([
  'header',
  'footer',
  'page_number',
  'aside_text',
  'page_footnote',
  'discarded',
]);

export interface ContentBlock {
  /** Position in content_list (0-based). */
  index: number;
  /** 0-based page (`page_idx`). */
  page: number;
  kind: BlockKind;
  /** The `type` as written (`text`, `header`, `page_number` …). */
  type: string;
  /** `sub_type` when given (`code`/`algorithm`, `ref_text`, `seal` …). */
  subType?: string;
  /** 0–1000 normalised box; undefined when the block has none (MinerU omits it then). */
  bbox?: Bbox;
  /** 0 body text, n a heading of level n. */
  textLevel: number;
  /** text / heading / equation / discarded text. */
  text?: string;
  imgPath?: string;
  tableBody?: string;
  /** An equation's LaTeX without its `$$` delimiters. */
  latex?: string;
  listItems?: string[];
  codeBody?: string;
  /** image_caption / table_caption / chart_caption / code_caption, in order. */
  captions: string[];
  /** image_footnote / table_footnote / chart_footnote / code_footnote. */
  footnotes: string[];
}

/** Why a file was refused (or, for warnings, what was skipped). */
export type ViewerReason =
  | 'contentList.notJson'
  | 'contentList.notArray'
  | 'contentList.tooManyBlocks'
  | 'contentList.blockNotObject'
  | 'contentList.noType'
  | 'contentList.badPage'
  | 'contentList.badBbox'
  | 'contentList.badField'
  | 'contentList.unknownType'
  | 'layout.notJson'
  | 'layout.noPages'
  | 'layout.badPage'
  | 'layout.badPageSize'
  | 'layout.badBbox';

export interface ViewerIssue {
  reason: ViewerReason;
  /** index (block or page entry), field, value … */
  params: Readonly<Record<string, string | number>>;
}

export type ReadResult<T> =
  { ok: true; value: T; warnings: ViewerIssue[] } | { ok: false; error: ViewerIssue };

/** A content list larger than this is refused (600 pages of dense text stay far below). */
export const MAX_BLOCKS = 1_000_000;

const KNOWN_TYPES = new Set([
  'text',
  'image',
  'chart',
  'table',
  'equation',
  'list',
  'code',
  'interline_equation',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite-number 4-tuple with x0 ≤ x1, y0 ≤ y1 (NaN, strings and inverted boxes are refused). */
export function parseBbox(v: unknown): Bbox | undefined {
  if (!Array.isArray(v) || v.length !== 4) return undefined;
  const [x0, y0, x1, y1] = v as unknown[];
  if (![x0, y0, x1, y1].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  const b = [x0, y0, x1, y1] as [number, number, number, number];
  if (b[0] > b[2] || b[1] > b[3]) return undefined;
  return b;
}

/** `$$ … $$`, `\[ … \]` or bare LaTeX → the LaTeX. */
export function stripMathDelimiters(text: string): string {
  const t = text.trim();
  const m = /^\$\$([\s\S]*)\$\$$/.exec(t) ?? /^\\\[([\s\S]*)\\\]$/.exec(t);
  return (m?.[1] ?? t).trim();
}

type FieldCheck = { ok: true; value: string | undefined } | { ok: false };

function optString(o: Record<string, unknown>, key: string): FieldCheck {
  const v = o[key];
  if (v === undefined || v === null) return { ok: true, value: undefined };
  return typeof v === 'string' ? { ok: true, value: v } : { ok: false };
}

function stringList(o: Record<string, unknown>, keys: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const key of keys) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) return undefined;
    for (const item of v) {
      if (typeof item !== 'string') return undefined;
      out.push(item);
    }
  }
  return out;
}

function kindOf(type: string, textLevel: number): BlockKind {
  if (DISCARDED_TYPES.has(type)) return 'discarded';
  switch (type) {
    case 'text':
      return textLevel > 0 ? 'heading' : 'text';
    case 'equation':
    case 'interline_equation':
      return 'equation';
    case 'image':
    case 'chart':
    case 'table':
    case 'list':
    case 'code':
      return type;
    default:
      return 'unknown';
  }
}

function fail(reason: ViewerReason, params: ViewerIssue['params']): { ok: false; error: ViewerIssue } {
  return { ok: false, error: { reason, params } };
}

/** One block; `index` is its position in the array. */
function readBlock(raw: unknown, index: number, warnings: ViewerIssue[]): ContentBlock | ViewerIssue {
  if (!isRecord(raw)) return { reason: 'contentList.blockNotObject', params: { index } };
  const type = raw.type;
  if (typeof type !== 'string' || type === '') return { reason: 'contentList.noType', params: { index } };
  const page = raw.page_idx;
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 0)
    return { reason: 'contentList.badPage', params: { index, value: String(page) } };
  let bbox: Bbox | undefined;
  if (raw.bbox !== undefined && raw.bbox !== null) {
    bbox = parseBbox(raw.bbox);
    if (!bbox) return { reason: 'contentList.badBbox', params: { index } };
  }
  const level = raw.text_level;
  let textLevel = 0;
  if (level !== undefined && level !== null) {
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0)
      return { reason: 'contentList.badField', params: { index, field: 'text_level' } };
    textLevel = level;
  }
  const strings: Record<string, string | undefined> = {};
  for (const key of ['text', 'img_path', 'table_body', 'code_body', 'sub_type']) {
    const f = optString(raw, key);
    if (!f.ok) return { reason: 'contentList.badField', params: { index, field: key } };
    strings[key] = f.value;
  }
  const captions = stringList(raw, ['image_caption', 'table_caption', 'chart_caption', 'code_caption']);
  const footnotes = stringList(raw, ['image_footnote', 'table_footnote', 'chart_footnote', 'code_footnote']);
  if (!captions) return { reason: 'contentList.badField', params: { index, field: 'caption' } };
  if (!footnotes) return { reason: 'contentList.badField', params: { index, field: 'footnote' } };
  let listItems: string[] | undefined;
  if (raw.list_items !== undefined) {
    listItems = stringList(raw, ['list_items']);
    if (!listItems) return { reason: 'contentList.badField', params: { index, field: 'list_items' } };
  }
  if (!KNOWN_TYPES.has(type) && !DISCARDED_TYPES.has(type))
    warnings.push({ reason: 'contentList.unknownType', params: { index, value: type } });
  const kind = kindOf(type, textLevel);
  const block: ContentBlock = { index, page, kind, type, textLevel, captions, footnotes };
  if (bbox) block.bbox = bbox;
  if (strings.sub_type) block.subType = strings.sub_type;
  if (strings.img_path) block.imgPath = strings.img_path;
  if (strings.table_body) block.tableBody = strings.table_body;
  if (strings.code_body) block.codeBody = strings.code_body;
  if (listItems) block.listItems = listItems;
  if (strings.text !== undefined) {
    if (kind === 'equation') block.latex = stripMathDelimiters(strings.text);
    else block.text = strings.text;
  }
  return block;
}

/** Parses an already-decoded content list (an array of blocks). */
export function readContentListValue(value: unknown): ReadResult<ContentBlock[]> {
  if (!Array.isArray(value)) return fail('contentList.notArray', {});
  if (value.length > MAX_BLOCKS)
    return fail('contentList.tooManyBlocks', { count: value.length, max: MAX_BLOCKS });
  const warnings: ViewerIssue[] = [];
  const blocks: ContentBlock[] = [];
  for (let i = 0; i < value.length; i++) {
    const b = readBlock(value[i], i, warnings);
    if ('reason' in b) return { ok: false, error: b };
    blocks.push(b);
  }
  return { ok: true, value: blocks, warnings };
}

/** Parses the text of a `*_content_list.json` (a UTF-8 BOM is allowed). */
export function readContentList(text: string): ReadResult<ContentBlock[]> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return fail('contentList.notJson', {});
  }
  return readContentListValue(value);
}

/** Whether a result file name is a content list (`<uuid>_content_list.json`, not the `_v2` one). */
export function isContentListName(name: string): boolean {
  return /(^|_)content_list\.json$/i.test(name.split(/[\\/]/).pop() ?? '');
}
