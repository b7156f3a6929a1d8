/**
 * A multipart/form-data body of text fields and one file, streamed from disk: the file is never
 * read into memory, and the exact length is known up front (Content-Length, so no chunked body a
 * reverse proxy might refuse).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FormField } from './serverOptions';

export interface MultipartBody {
  contentType: string;
  length: number;
  /** A fresh stream of the whole body (a retry opens the file again). */
  open(): Readable;
}

/** Quotes a header parameter value: no CR/LF, quotes and backslashes escaped (RFC 7578 §4.2). */
function quoteParam(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`);
}

/** Content-Type of an upload by its extension; the server decides by the bytes anyway. */
function contentTypeOf(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const types: Record<string, string> = {
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  return types[ext] ?? 'application/octet-stream';
}

export function multipartBody(
  fields: readonly FormField[],
  file: { field: string; path: string; size: number; name: string },
): MultipartBody {
  const boundary = `----mineru-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    fields
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(name)}"\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(file.field)}"; filename="${quoteParam(file.name)}"\r\n` +
      `Content-Type: ${contentTypeOf(file.name)}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + file.size + tail.length,
    open(): Readable {
      async function* parts(): AsyncGenerator<Buffer> {
        yield head;
        // A file that changed size since it was measured would make the length lie: cut it there.
        let sent = 0;
        for await (const chunk of createReadStream(file.path, { highWaterMark: 1024 * 1024 })) {
          const buf = chunk as Buffer;
          const room = file.size - sent;
          if (room <= 0) break;
          const part = buf.length > room ? buf.subarray(0, room) : buf;
          sent += part.length;
          yield part;
        }
        if (sent < file.size) throw new Error(`the file ${file.name} became shorter while it was uploaded`);
        yield tail;
      }
      return Readable.from(parts(), { objectMode: false });
    },
  };
}
