// Reading a request body as the server's framework does: multipart/form-data (files and fields) or
// application/x-www-form-urlencoded (fields only). Small and in memory: the fake's documents are
// tiny; a body over the limit is refused before it is parsed.
import type * as http from 'node:http';

export interface FormFile {
  field: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedForm {
  fields: Map<string, string[]>;
  files: FormFile[];
  bodyBytes: number;
  /** The body could not be read as a form (bad boundary, truncated part). */
  malformed: boolean;
}

export class BodyTooLarge extends Error {}

export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function headerParam(header: string, name: string): string | undefined {
  // name="value" (quotes optional); filename*=UTF-8''percent-encoded wins over filename.
  const star = new RegExp(`(?:^|;)\\s*${name}\\*=([^;]*)`, 'i').exec(header);
  if (star?.[1]) {
    const v = star[1].trim().replace(/^"|"$/g, '');
    const m = /^[^']*'[^']*'(.*)$/.exec(v);
    try {
      return decodeURIComponent(m?.[1] ?? v);
    } catch {
      return v;
    }
  }
  const re = new RegExp(`(?:^|;)\\s*${name}=("((?:[^"\\\\]|\\\\.)*)"|[^;]*)`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2].replace(/\\(.)/g, '$1');
  return (m[1] ?? '').trim();
}

function add(fields: Map<string, string[]>, key: string, value: string): void {
  const list = fields.get(key);
  if (list) list.push(value);
  else fields.set(key, [value]);
}

function parseMultipart(body: Buffer, boundary: string, out: ParsedForm): void {
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) {
    out.malformed = body.length > 0;
    return;
  }
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) {
      out.malformed = true;
      return;
    }
    const headers = body.subarray(pos, headEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd + 4);
    if (next < 0) {
      out.malformed = true;
      return;
    }
    const data = body.subarray(headEnd + 4, next);
    let disposition = '';
    let contentType = 'application/octet-stream';
    for (const h of headers) {
      const i = h.indexOf(':');
      if (i < 0) continue;
      const key = h.slice(0, i).trim().toLowerCase();
      const value = h.slice(i + 1).trim();
      if (key === 'content-disposition') disposition = value;
      if (key === 'content-type') contentType = value;
    }
    const name = headerParam(disposition, 'name') ?? '';
    const fileName = headerParam(disposition, 'filename');
    // Starlette: a part with a filename parameter is a file, even an empty one.
    if (fileName !== undefined)
      out.files.push({ field: name, fileName, contentType, data: Buffer.from(data) });
    else add(out.fields, name, data.toString('utf8'));
    pos = next + 2;
  }
}

export function parseForm(contentType: string | undefined, body: Buffer): ParsedForm {
  const out: ParsedForm = { fields: new Map(), files: [], bodyBytes: body.length, malformed: false };
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data')) {
    const boundary = headerParam(contentType ?? '', 'boundary');
    if (!boundary) out.malformed = true;
    else parseMultipart(body, boundary, out);
  } else if (ct.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) add(out.fields, k, v);
  }
  return out;
}
