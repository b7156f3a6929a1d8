// Upload URLs, the PUT side: a presigned PUT (`/upload/<key>`) on the CDN origin, checked as OSS
// checks it (signature, expiry, no Content-Type, no Authorization), moves its task to pending.
import type * as http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { FakeContext } from './context';
import { sendXml } from './http';
import { applyDocPages, docPages, uploadFailure } from './limits';
import { AGENT_MAX_BYTES, ERR_MSG } from './model';
import { readPdfFacts } from './pdfPages';
import { sign } from './submit';
import type { RecordedRequest } from './types';

export async function handleUpload(
  ctx: FakeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rec: RecordedRequest,
  key: string,
  query: Record<string, string>,
): Promise<void> {
  const hostHeader = req.headers.host ?? 'fake-oss';
  // Stream the body: count bytes, keep them only while within the size limit (to read a PDF's pages).
  let bytes = 0;
  const kept: Buffer[] = [];
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes <= ctx.limits.maxBytes) kept.push(chunk as Buffer);
  }
  rec.bodyBytes = bytes;

  const taskId = ctx.uploads.get(key);
  const t = taskId ? ctx.tasks.get(taskId) : undefined;
  const contentType = req.headers['content-type'];
  const expires = Number(query.Expires ?? '0');
  if (!t) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
  if (req.headers.authorization !== undefined) {
    return sendXml(
      res,
      400,
      'InvalidArgument',
      'Authorization header is invalid when a presigned URL (query string authentication) is used.',
      hostHeader,
    );
  }
  if (ctx.faults.uploadExpired || expires * 1000 < Date.now()) {
    return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
  }
  if ((contentType !== undefined && contentType !== '') || query.Signature !== sign(ctx, key, expires)) {
    return sendXml(
      res,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      hostHeader,
    );
  }
  t.uploadedBytes = bytes;
  if (t.state === 'waiting-file') {
    // Read before the task can move (a step could come while the PDF is being read).
    const facts =
      t.kind !== 'agent' && bytes > 0 && bytes <= ctx.limits.maxBytes
        ? await readPdfFacts(Buffer.concat(kept))
        : undefined;
    const pages = facts ? docPages(facts, t.pageRanges) : undefined;
    if (pages) applyDocPages(t, pages);
    const limit = uploadFailure(ctx, t, bytes, pages);
    t.state = 'pending';
    if (bytes === 0) {
      t.failure = { from: 'pending', errMsg: ERR_MSG.emptyFile, errCode: -60004 };
    } else if (t.kind === 'agent' && bytes > AGENT_MAX_BYTES) {
      t.failure = { from: 'pending', errMsg: ERR_MSG.agentTooLarge, errCode: -30001 };
    } else if (limit) {
      t.failure = limit;
    }
  }
  res.writeHead(200, {
    'content-length': 0,
    etag: `"${createHash('md5').update(key).digest('hex').toUpperCase()}"`,
    'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
  });
  res.end();
}
