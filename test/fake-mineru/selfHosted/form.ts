// The parse form as the server reads it (mineru/cli/api_request.py parse_request_form, FastAPI's
// form handling, backend_options.py, utils/ocr_language.py, and for uploads fast_api.py
// save_upload_files + common.py's stem rules). 2.x (fast_api.py at mineru-2.7.6) read the same
// fields without validating backend, parse_method or lang_list.
import { randomUUID } from 'node:crypto';
import AdmZip from 'adm-zip';
import type { ParseOptions, StoredDoc } from './engine';
import type { ParsedForm } from './multipart';

export const BACKENDS = ['pipeline', 'vlm-engine', 'hybrid-engine', 'vlm-http-client', 'hybrid-http-client'];
const BACKEND_ALIASES: Record<string, string> = {
  'vlm-auto-engine': 'vlm-engine',
  'hybrid-auto-engine': 'hybrid-engine',
};
export const EFFORTS = ['medium', 'high'];
export const PARSE_METHODS = ['auto', 'txt', 'ocr'];
export const OCR_LANGS = [
  'ch',
  'ch_server',
  'korean',
  'ta',
  'te',
  'ka',
  'th',
  'el',
  'arabic',
  'east_slavic',
  'cyrillic',
  'devanagari',
];
const CH_ALIASES = new Set(['en', 'japan', 'chinese_cht', 'latin']);
export const SUPPORTED_SUFFIXES = new Set([
  'pdf',
  'png',
  'jpeg',
  'jp2',
  'webp',
  'gif',
  'bmp',
  'jpg',
  'tiff',
  'docx',
  'pptx',
  'xlsx',
]);
export const PUBLIC_HTTP_CLIENT_DISABLED_DETAIL =
  'Publicly exposed API disables *-http-client backends and server_url by default. Rebind to 127.0.0.1 ' +
  'or start with --allow-public-http-client if you understand the SSRF risk.';

/** A refusal: the status and the JSON body the server sends. */
export interface Refusal {
  status: number;
  body: unknown;
}

interface FieldError {
  type: string;
  loc: [string, string];
  msg: string;
  input: unknown;
}

const TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** FastAPI: the last value of a field; an empty string counts as "not sent" (the default applies). */
function value(form: ParsedForm, key: string): string | undefined {
  const list = form.fields.get(key);
  const v = list?.[list.length - 1];
  return v === '' ? undefined : v;
}

function bool(form: ParsedForm, key: string, dflt: boolean, errors: FieldError[]): boolean {
  const v = value(form, key);
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  errors.push({
    type: 'bool_parsing',
    loc: ['body', key],
    msg: 'Input should be a valid boolean, unable to interpret input',
    input: v,
  });
  return dflt;
}

function int(form: ParsedForm, key: string, dflt: number, errors: FieldError[]): number {
  const v = value(form, key);
  if (v === undefined) return dflt;
  if (/^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  errors.push({
    type: 'int_parsing',
    loc: ['body', key],
    msg: 'Input should be a valid integer, unable to parse string as an integer',
    input: v,
  });
  return dflt;
}

function detail(msg: string): Refusal {
  return { status: 400, body: { detail: msg } };
}

/** parse_request_form(): 422 for what does not type-check, then 400 naming the first bad field. */
export function readParseOptions(
  form: ParsedForm,
  legacy: boolean,
  policy: { publicBind: boolean; allowPublicHttpClient: boolean },
): ParseOptions | Refusal {
  const errors: FieldError[] = [];
  if (form.files.filter((f) => f.field === 'files').length === 0)
    errors.push({ type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: null });
  const o: ParseOptions = {
    backend: value(form, 'backend') ?? (legacy ? 'hybrid-auto-engine' : 'hybrid-engine'),
    effort: value(form, 'effort') ?? 'medium',
    parseMethod: value(form, 'parse_method') ?? 'auto',
    langList: (form.fields.get('lang_list') ?? []).filter((l) => l !== ''),
    formulaEnable: bool(form, 'formula_enable', true, errors),
    tableEnable: bool(form, 'table_enable', true, errors),
    imageAnalysis: legacy ? true : bool(form, 'image_analysis', true, errors),
    serverUrl: value(form, 'server_url') ?? null,
    returnMd: bool(form, 'return_md', true, errors),
    returnMiddleJson: bool(form, 'return_middle_json', false, errors),
    returnModelOutput: bool(form, 'return_model_output', false, errors),
    returnContentList: bool(form, 'return_content_list', false, errors),
    returnImages: bool(form, 'return_images', false, errors),
    responseFormatZip: bool(form, 'response_format_zip', false, errors),
    returnOriginalFile: legacy ? false : bool(form, 'return_original_file', false, errors),
    clientSideOutputGeneration: legacy ? false : bool(form, 'client_side_output_generation', false, errors),
    startPageId: int(form, 'start_page_id', 0, errors),
    endPageId: int(form, 'end_page_id', 99999, errors),
  };
  if (o.langList.length === 0) o.langList = ['ch'];
  if (errors.length > 0) return { status: 422, body: { detail: errors } };
  if (legacy) return o;

  const backend = BACKEND_ALIASES[o.backend] ?? o.backend;
  if (!BACKENDS.includes(backend)) return detail(`Invalid backend. Allowed values: ${BACKENDS.join(', ')}`);
  o.backend = backend;
  if (!EFFORTS.includes(o.effort)) return detail(`Invalid effort. Allowed values: ${EFFORTS.join(', ')}`);
  if (
    policy.publicBind &&
    !policy.allowPublicHttpClient &&
    (o.backend.endsWith('-http-client') || (o.serverUrl ?? '').trim() !== '')
  )
    return detail(PUBLIC_HTTP_CLIENT_DISABLED_DETAIL);
  const langs: string[] = [];
  for (const lang of o.langList) {
    if (CH_ALIASES.has(lang)) langs.push('ch');
    else if (OCR_LANGS.includes(lang)) langs.push(lang);
    else return detail(`Language ${lang} not supported. Allowed values: ${OCR_LANGS.join(', ')}`);
  }
  o.langList = langs;
  if (!PARSE_METHODS.includes(o.parseMethod))
    return detail(`Invalid parse_method. Allowed values: ${[...PARSE_METHODS].sort().join(', ')}`);
  if (o.clientSideOutputGeneration) {
    o.returnMd = false;
    o.returnMiddleJson = true;
    o.returnModelOutput = true;
    o.returnContentList = false;
    o.returnImages = true;
  }
  o.returnOriginalFile = o.returnOriginalFile && o.responseFormatZip;
  return o;
}

function ooxmlSuffix(data: Buffer): string | undefined {
  try {
    const types = new AdmZip(data).getEntry('[Content_Types].xml')?.getData().toString('utf8') ?? '';
    if (types.includes('wordprocessingml.document.main+xml')) return 'docx';
    if (types.includes('presentationml.presentation.main+xml')) return 'pptx';
    if (types.includes('spreadsheetml.sheet.main+xml')) return 'xlsx';
  } catch {
    // not a readable zip
  }
  return undefined;
}

/** guess_suffix_by_path(): the type comes from the bytes (magika + an OOXML check), not the name. */
export function sniffSuffix(data: Buffer): string {
  const head = data.subarray(0, 16);
  const ascii = head.toString('latin1');
  if (data.length === 0) return 'empty';
  if (ascii.startsWith('%PDF')) return 'pdf';
  if (head[0] === 0x89 && ascii.slice(1, 4) === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii.startsWith('GIF8')) return 'gif';
  if (ascii.startsWith('BM')) return 'bmp';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'webp';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'tiff';
  if (ascii.slice(4, 8) === 'jP  ') return 'jp2';
  if (ascii.startsWith('PK\x03\x04')) return ooxmlSuffix(data) ?? 'zip';
  const text = data.subarray(0, 4096).toString('utf8');
  if (/^\s*<(!doctype html|html)/i.test(text)) return 'html';
  const control = [...text].some(
    (c) => c.charCodeAt(0) < 9 || (c.charCodeAt(0) > 13 && c.charCodeAt(0) < 32),
  );
  if (!text.includes('\uFFFD') && !control) return 'txt';
  return 'unknown';
}

const MAX_STEM_BYTES = 200;

function truncateUtf8(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Path(name).name on the (POSIX) server, then the stem, cut to 200 UTF-8 bytes (2.x: not cut). */
export function uploadStem(uploadName: string, maxBytes = MAX_STEM_BYTES): string {
  const base = uploadName.split('/').pop() ?? uploadName;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return truncateUtf8(stem, maxBytes);
}

/** uniquify_task_stems(): a later duplicate (case-insensitive) becomes `<stem>_2`, `_3`, … */
export function uniquifyStems(stems: readonly string[]): string[] {
  const raw = new Set(stems.map((s) => s.toLowerCase()));
  const seen = new Map<string, number>();
  const assigned = new Set<string>();
  return stems.map((stem) => {
    const key = stem.toLowerCase();
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    let effective = stem;
    if (count > 0 || assigned.has(key)) {
      for (let n = count + 1; ; n++) {
        const suffix = `_${n}`;
        const candidate = truncateUtf8(stem, MAX_STEM_BYTES - Buffer.byteLength(suffix)) + suffix;
        const k = candidate.toLowerCase();
        if (!raw.has(k) && !assigned.has(k)) {
          effective = candidate;
          break;
        }
      }
    }
    assigned.add(effective.toLowerCase());
    return effective;
  });
}

/** 2.x zip names: sanitize_filename() (path characters dropped, anything but \w . - → _). */
export function sanitizeLegacyName(name: string): string {
  let s = name.replace(/[/\\.]{2,}|[/\\]/g, '');
  s = s.replace(/[^\p{L}\p{N}_.-]/gu, '_');
  if (s.startsWith('.')) s = `_${s.slice(1)}`;
  return s || 'unnamed';
}

/** `pages-<N>` in a name: that many pages (else the default). */
export function pagesOf(name: string, dflt: number): number {
  const m = /pages-(\d+)/i.exec(name);
  return m?.[1] ? Math.max(1, Number(m[1])) : dflt;
}

/** The stored uploads, or the 400 for the first unsupported one (3.x `detail`, 2.x `error`). */
export function storeUploads(form: ParsedForm, legacy: boolean, defaultPages: number): StoredDoc[] | Refusal {
  const docs: StoredDoc[] = [];
  for (const f of form.files.filter((x) => x.field === 'files')) {
    const suffix = sniffSuffix(f.data);
    if (!SUPPORTED_SUFFIXES.has(suffix) || (legacy && ['docx', 'pptx', 'xlsx'].includes(suffix))) {
      const msg = `Unsupported file type: ${suffix}`;
      return { status: 400, body: legacy ? { error: msg } : { detail: msg } };
    }
    const name = f.fileName || `upload-${randomUUID()}`;
    docs.push({
      uploadName: name,
      stem: uploadStem(name, legacy ? Infinity : MAX_STEM_BYTES),
      suffix,
      pages: pagesOf(name, defaultPages),
      bytes: f.data,
    });
  }
  if (!legacy) {
    const stems = uniquifyStems(docs.map((d) => d.stem));
    docs.forEach((d, i) => (d.stem = stems[i] ?? d.stem));
  }
  return docs;
}

export function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}
