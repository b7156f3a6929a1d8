/**
 * The layout of a result folder: `<name>.md` beside `images/`, the single docx/html/tex renamed
 * `<name>.<ext>`, json/pdf artefacts kept under their names, links that leave the folder neutralised.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MinerUError } from '../errors';
import { checkImageLinks, neutralizeOutsideLinks } from './markdownLinks';

export type ExtraFormatKind = 'docx' | 'html' | 'latex' | 'json' | 'pdf';

export interface ResultLayout {
  /** The Markdown, relative to the folder (platform separators). */
  markdown: string;
  /** Files under `images/`, relative to the folder ('/'-separated). */
  images: string[];
  /** Extra formats, relative to the folder ('/'-separated). */
  extras: { format: ExtraFormatKind; relative: string }[];
  /** Image links of the Markdown that do not resolve inside the folder, as written. */
  brokenImageLinks: string[];
}

function extraKind(relative: string): ExtraFormatKind | undefined {
  const ext = path.extname(relative).toLowerCase();
  if (ext === '.docx') return 'docx';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.tex') return 'latex';
  if (ext === '.json') return 'json';
  if (ext === '.pdf') return 'pdf';
  return undefined;
}

const RENAMED_EXTENSION: Partial<Record<ExtraFormatKind, string>> = {
  docx: '.docx',
  html: '.html',
  latex: '.tex',
};

/** `dir/base.ext`, or `dir/base (2).ext` … when taken. */
async function freeFileName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? `${base}${ext}` : `${base} (${n})${ext}`);
    try {
      await fs.lstat(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Arranges the files extracted into `folder` (`written`: '/'-separated relative paths, in archive
 * order) under the document's `name`. Fails with NO_MARKDOWN when the archive held no Markdown.
 */
export async function arrangeResult(
  folder: string,
  written: readonly string[],
  name: string,
): Promise<ResultLayout> {
  // The Markdown: top-level full.md, else the first top-level .md, else the shallowest one.
  const markdowns = written.filter((p) => p.toLowerCase().endsWith('.md'));
  const depth = (p: string): number => p.split('/').length;
  const chosen =
    markdowns.find((p) => p.toLowerCase() === 'full.md') ??
    markdowns.find((p) => depth(p) === 1) ??
    [...markdowns].sort((a, b) => depth(a) - depth(b))[0];
  if (chosen === undefined) {
    throw new MinerUError({
      phase: 'extract',
      code: 'NO_MARKDOWN',
      message: 'The result archive contains no Markdown file',
      reason: 'zip.noMarkdown',
      hint: 'Parse the document again; if it keeps happening, report it with the task id.',
      retryable: false,
    });
  }
  // `<name>.md` goes beside the chosen file so its relative image links keep resolving.
  const mdDir = path.dirname(path.join(folder, chosen));
  const source = path.join(folder, chosen);
  const markdown = (await fs.readFile(source, 'utf8')).replace(/^\uFEFF/, '');
  const safeMarkdown = neutralizeOutsideLinks(markdown);
  await fs.rm(source);
  const markdownPath = await freeFileName(mdDir, name, '.md');
  await fs.writeFile(markdownPath, safeMarkdown, { flag: 'wx' });
  const brokenImageLinks = await checkImageLinks(safeMarkdown, mdDir);

  // Extras: the single docx/html/tex becomes <name>.<ext> in its own folder; json/pdf keep names.
  const extras: ResultLayout['extras'] = [];
  const byKind = new Map<ExtraFormatKind, string[]>();
  for (const rel of written) {
    if (rel === chosen || rel.toLowerCase().startsWith('images/')) continue;
    const kind = extraKind(rel);
    if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), rel]);
  }
  for (const [kind, rels] of byKind) {
    const ext = RENAMED_EXTENSION[kind];
    for (const rel of rels) {
      let finalRel = rel;
      if (ext !== undefined && rels.length === 1) {
        const from = path.join(folder, rel);
        const wanted = path.join(path.dirname(from), `${name}${ext}`);
        if (wanted !== from) {
          const to = await freeFileName(path.dirname(from), name, ext);
          await fs.rename(from, to);
          finalRel = path.relative(folder, to).split(path.sep).join('/');
        }
      }
      extras.push({ format: kind, relative: finalRel });
    }
  }
  return {
    markdown: path.relative(folder, markdownPath),
    images: written.filter((p) => p.toLowerCase().startsWith('images/')),
    extras,
    brokenImageLinks,
  };
}
