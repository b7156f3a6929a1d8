/**
 * Documents written the way MinerU writes them (vlm_middle_json_mkcontent.py, 3.4.4): units joined
 * by a blank line; headings `#…`; images `![](path)` with the caption on the next line after a hard
 * break; tables as caption, HTML, footnote paragraphs; `$$` maths; list items joined by hard breaks;
 * fenced code; discarded blocks (header, page number) only in content_list. The renderer returns the
 * Markdown, the content_list and the lines each block was written on, for the matcher's tests and
 * the benchmark.
 */

export type DocBlock =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'image'; path: string; caption?: string }
  | { kind: 'table'; body: string; caption?: string; footnote?: string }
  | { kind: 'equation'; latex: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'code'; body: string }
  | { kind: 'header'; text: string };

export interface RenderedDoc {
  markdown: string;
  /** content_list.json entries, one per block. */
  contentList: Record<string, unknown>[];
  /** By block: the lines written for it (0-based, inclusive), and those of its body; none when discarded. */
  lines: ({ start: number; end: number; bodyStart: number; bodyEnd: number } | undefined)[];
}

/** The Markdown text of one block, with the offset (in lines) of its body within it. */
export function renderBlock(b: DocBlock): { text: string; bodyFrom: number; bodyLines: number } | undefined {
  switch (b.kind) {
    case 'heading':
      return { text: `${'#'.repeat(b.level)} ${b.text}`, bodyFrom: 0, bodyLines: 1 };
    case 'text':
      return { text: b.text, bodyFrom: 0, bodyLines: 1 };
    case 'image':
      return {
        text: `![](${b.path})${b.caption ? `  \n${b.caption}` : ''}`,
        bodyFrom: 0,
        bodyLines: b.caption ? 2 : 1,
      };
    case 'table': {
      const parts = [...(b.caption ? [b.caption] : []), b.body, ...(b.footnote ? [b.footnote] : [])];
      return { text: parts.join('\n\n'), bodyFrom: b.caption ? 2 : 0, bodyLines: 1 };
    }
    case 'equation':
      return { text: `$$\n${b.latex}\n$$`, bodyFrom: 0, bodyLines: 3 };
    case 'list':
      return { text: b.items.join('  \n'), bodyFrom: 0, bodyLines: b.items.length };
    case 'code': {
      const n = b.body.split('\n').length;
      return { text: `\`\`\`python\n${b.body}\n\`\`\``, bodyFrom: 0, bodyLines: n + 2 };
    }
    case 'header':
      return undefined;
  }
}

function contentEntry(b: DocBlock, page: number, i: number): Record<string, unknown> {
  const bbox = [100, (i * 37) % 900, 900, ((i * 37) % 900) + 50];
  const base = { bbox, page_idx: page };
  switch (b.kind) {
    case 'heading':
      return { type: 'text', text: b.text, text_level: b.level, ...base };
    case 'text':
      return { type: 'text', text: b.text, ...base };
    case 'image':
      return {
        type: 'image',
        img_path: b.path,
        image_caption: b.caption ? [b.caption] : [],
        image_footnote: [],
        ...base,
      };
    case 'table':
      return {
        type: 'table',
        img_path: `images/table-${i}.jpg`,
        table_caption: b.caption ? [b.caption] : [],
        table_body: b.body,
        table_footnote: b.footnote ? [b.footnote] : [],
        ...base,
      };
    case 'equation':
      return { type: 'equation', text: `$$\n${b.latex}\n$$`, text_format: 'latex', ...base };
    case 'list':
      return { type: 'list', sub_type: 'text', list_items: b.items, ...base };
    case 'code':
      return {
        type: 'code',
        sub_type: 'code',
        code_body: `\`\`\`python\n${b.body}\n\`\`\``,
        code_caption: [],
        ...base,
      };
    case 'header':
      return { type: 'header', text: b.text, ...base };
  }
}

/**
 * Writes `blocks` (content_list order); `order` permutes the written units (default: as given)
 * and `extra` inserts more units (copies, strays) before the unit at the given position.
 */
export function renderDoc(
  blocks: readonly DocBlock[],
  opts: {
    order?: readonly number[];
    extra?: readonly { at: number; block: DocBlock }[];
    perPage?: number;
  } = {},
): RenderedDoc {
  const perPage = opts.perPage ?? 8;
  const contentList = blocks.map((b, i) => contentEntry(b, Math.floor(i / perPage), i));
  const lines: RenderedDoc['lines'] = blocks.map(() => undefined);
  const order = opts.order ?? blocks.map((_, i) => i);
  const out: string[] = [];
  let line = 0;
  const write = (b: DocBlock, index: number | undefined): void => {
    const r = renderBlock(b);
    if (!r) return;
    if (out.length > 0) {
      out.push('');
      line++;
    }
    const n = r.text.split('\n').length;
    if (index !== undefined)
      lines[index] = {
        start: line,
        end: line + n - 1,
        bodyStart: line + r.bodyFrom,
        bodyEnd: line + r.bodyFrom + r.bodyLines - 1,
      };
    out.push(r.text);
    line += n;
  };
  order.forEach((index, pos) => {
    for (const e of opts.extra ?? []) if (e.at === pos) write(e.block, undefined);
    const b = blocks[index];
    if (b) write(b, index);
  });
  for (const e of opts.extra ?? []) if (e.at >= order.length) write(e.block, undefined);
  return { markdown: out.join('\n'), contentList, lines };
}

/** A deterministic document of `n` blocks of every kind, mostly distinct (for the benchmark). */
export function syntheticDoc(n: number): DocBlock[] {
  const out: DocBlock[] = [];
  for (let i = 0; i < n; i++) {
    const r = i % 20;
    if (r === 0) out.push({ kind: 'heading', level: 1 + (i % 3), text: `Section ${i}` });
    else if (r === 5)
      out.push({
        kind: 'image',
        path: `images/${i.toString(16).padStart(64, '0')}.jpg`,
        caption: `Figure ${i}.`,
      });
    else if (r === 9)
      out.push({
        kind: 'table',
        body: `<table><tr><td>${i}</td><td>v</td></tr></table>`,
        caption: `Table ${i}.`,
      });
    else if (r === 13) out.push({ kind: 'equation', latex: `x_{${i}} = y^{2}` });
    else if (r === 16) out.push({ kind: 'list', items: [`item ${i} a`, `item ${i} b`] });
    else if (r === 18) out.push({ kind: 'header', text: 'Running header' });
    else if (r === 19) out.push({ kind: 'text', text: 'Continued on the next page.' });
    else out.push({ kind: 'text', text: `Paragraph ${i}: the quick brown fox jumps over the lazy dog.` });
  }
  return out;
}
