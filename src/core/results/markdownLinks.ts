import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** What an outside-pointing link target is replaced with. */
export const BLOCKED_TARGET = '#blocked-outside-link';

// All patterns below are linear: each repeated group starts with a distinct character, and tag
// scans are bounded by `[^>]{0,N}`.
/** `](target` of an inline link or image: `<…>` or a run with balanced single-level parentheses. */
const INLINE_TARGET = /(\]\(\s*)(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)/g;
/** `![alt](target` — images only. */
const IMAGE_TARGET = /!\[[^\]\n]{0,2000}\]\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)/g;
/** `[id]: target` reference definitions. */
const REFERENCE_TARGET = /^( {0,3}\[[^\]\n]{1,999}\]:[ \t]*)(<[^<>\n]*>|\S+)/gm;
/** `src=`, `href=`, `srcset=` and friends in HTML. */
const HTML_ATTR =
  /(\b(?:src|href|srcset|data|poster|background|xlink:href|action|formaction)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)/gi;
/** `<img … src=…>` */
const IMG_TAG_SRC = /<img\b[^>]{0,2000}?\bsrc\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)/gi;

function unwrap(target: string): string {
  if (target.startsWith('<') && target.endsWith('>')) return target.slice(1, -1);
  if ((target.startsWith('"') && target.endsWith('"')) || (target.startsWith("'") && target.endsWith("'"))) {
    return target.slice(1, -1);
  }
  return target;
}

/** `&amp;`, `&#38;`, `&#x26;`: the ampersand written as an HTML entity. */
const AMP_ENTITY = /&(?:amp|#0*38|#x0*26);/gi;

function decode(text: string): string {
  let out = text.replace(AMP_ENTITY, '&');
  try {
    out = decodeURIComponent(out);
  } catch {
    // keep as written
  }
  return out;
}

/**
 * Whether a link target leaves the result folder: any scheme other than http(s)/mailto/data
 * (`file:`, `vscode:`, `javascript:` …), a drive letter, an absolute or UNC path, a
 * protocol-relative `//host`, or a relative path whose `..` segments climb above the folder.
 * Fragments (`#x`) and plain relative paths stay.
 */
export function isOutsideTarget(rawTarget: string): boolean {
  const target = decode(unwrap(rawTarget.trim())).trim();
  if (target === '' || target.startsWith('#')) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  if (scheme !== undefined) return !['http', 'https', 'mailto', 'data'].includes(scheme);
  const normalized = target.replace(/\\/g, '/');
  if (normalized.startsWith('/') || normalized.startsWith('~')) return true;
  const pathPart = normalized.split(/[?#]/)[0]!;
  let depth = 0;
  for (const segment of pathPart.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * Makes link and image targets that point outside the result folder inert, keeping the alt text
 * and titles: they become `#blocked-outside-link`. http(s) links are left alone. Applied to a
 * result's Markdown before it is written, so that opening the preview never loads local files.
 */
export function neutralizeOutsideLinks(markdown: string): string {
  const block = (target: string): string => {
    if (!isOutsideTarget(target)) return target;
    const q = target.charAt(0);
    return q === '"' || q === "'" ? `${q}${BLOCKED_TARGET}${q}` : BLOCKED_TARGET;
  };
  return markdown
    .replace(INLINE_TARGET, (_m, lead: string, target: string) => lead + block(target))
    .replace(REFERENCE_TARGET, (_m, lead: string, target: string) => lead + block(target))
    .replace(HTML_ATTR, (_m, lead: string, value: string) => lead + block(value));
}

/** Every link/image target of the Markdown (inline, reference definitions, HTML attributes), as written. */
export function linkTargets(markdown: string): string[] {
  return [
    ...Array.from(markdown.matchAll(INLINE_TARGET), (m) => m[2]!),
    ...Array.from(markdown.matchAll(REFERENCE_TARGET), (m) => m[2]!),
    ...Array.from(markdown.matchAll(HTML_ATTR), (m) => m[2]!),
  ];
}

/** Relative local image targets of the Markdown (Markdown images and `<img src>`), in order, deduplicated. */
export function localImageTargets(markdown: string): string[] {
  const out = new Set<string>();
  const add = (raw: string): void => {
    const target = unwrap(raw.trim()).trim();
    if (
      target === '' ||
      target.startsWith('#') ||
      /^[a-z][a-z0-9+.-]*:/i.test(target) ||
      target.startsWith('//')
    ) {
      return;
    }
    out.add(target);
  };
  for (const m of markdown.matchAll(IMAGE_TARGET)) add(m[1]!);
  for (const m of markdown.matchAll(IMG_TAG_SRC)) add(m[1]!);
  return [...out];
}

/**
 * The image links of `markdown` that do not resolve to a file inside `folder` (as written in the
 * Markdown). Remote (http/https/data) images are not checked; a target leaving the folder counts
 * as broken.
 */
export async function checkImageLinks(markdown: string, folder: string): Promise<string[]> {
  const root = path.resolve(folder);
  const broken: string[] = [];
  for (const target of localImageTargets(markdown)) {
    if (isOutsideTarget(target)) {
      broken.push(target);
      continue;
    }
    // Entities first: the "#" of "&#38;" is not the start of a fragment.
    const relative = decode(target.replace(AMP_ENTITY, '&').split(/[?#]/)[0]!).replace(/\\/g, '/');
    const absolute = path.resolve(root, relative);
    const rel = path.relative(root, absolute);
    let ok = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    if (ok) {
      try {
        ok = (await fs.stat(absolute)).isFile();
      } catch {
        ok = false;
      }
    }
    if (!ok) broken.push(target);
  }
  return broken;
}

/**
 * Rewrites link and image targets with `map`, which gets each target as written but without its
 * `<…>` or quotes, and returns the new target or `undefined` to keep it. The targets are those the
 * rest of this module finds: inline `](…)` links and images, reference definitions `[id]: …` and
 * HTML attributes (`<img src=…>`, `href=` …); the wrapper and all other text are kept byte for byte.
 */
export function rewriteLinkTargets(markdown: string, map: (target: string) => string | undefined): string {
  const rewrite = (written: string): string => {
    const inner = unwrap(written);
    const next = map(inner);
    if (next === undefined || next === inner) return written;
    if (inner === written) return next;
    return written.charAt(0) + next + written.charAt(written.length - 1);
  };
  return markdown
    .replace(INLINE_TARGET, (_m, lead: string, target: string) => lead + rewrite(target))
    .replace(REFERENCE_TARGET, (_m, lead: string, target: string) => lead + rewrite(target))
    .replace(HTML_ATTR, (_m, lead: string, value: string) => lead + rewrite(value));
}
