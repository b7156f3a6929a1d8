// Result hosting on the CDN origin (also served by the API origin without auth): result zips
// (`/cdn/<date>/<uuid>.zip`, streamed, with the zip faults: expiry, redirect, stall, drop, hostile
// entries) and agent Markdown (`/cdn/md/<id>.md`).
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { agentMarkdown, resultEntries } from './content';
import type { FakeContext } from './context';
import { takeFault } from './faults';
import { drainOrClose, redirect, sendBody, sendXml } from './http';
import type { Task } from './model';
import { stripExtension } from './model';
import type { DropFault } from './types';
import type { ZipEntry } from './zip';
import { SYMLINK_MODE, bombEntry, memEntry, paddingEntry, planZip } from './zip';

async function zipEntriesFor(ctx: FakeContext, t: Task): Promise<ZipEntry[]> {
  const faults = ctx.faults;
  const entries = resultEntries({
    title: stripExtension(t.name),
    innerUuid: t.innerUuid,
    pages: t.pages,
    modelVersion: t.modelVersion,
    extraFormats: t.extraFormats,
    ...(t.language !== undefined ? { language: t.language } : {}),
    ...(t.pageMarks ? { pageMarks: t.pageMarks } : {}),
  });
  if (faults.zipSlip) {
    for (const name of ['../evil.txt', '/abs.txt', 'C:\\win.txt', 'images/../../x']) {
      entries.push(memEntry(name, `zip-slip probe: ${name}\n`));
    }
  }
  if (faults.zipSymlink) {
    entries.push(memEntry('images/link.jpg', '/etc/passwd', { deflate: false, unixMode: SYMLINK_MODE }));
  }
  if (faults.zipPadBytes && faults.zipPadBytes > 0) {
    entries.push(paddingEntry(`${t.innerUuid}_pad.bin`, Math.floor(faults.zipPadBytes)));
  }
  if (faults.zipBomb) {
    const size = typeof faults.zipBomb === 'number' ? faults.zipBomb : 512 * 1024 * 1024;
    entries.push(await bombEntry('bomb.bin', size));
  }
  return entries;
}

export async function handleCdnGet(
  ctx: FakeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  query: Record<string, string>,
  drop: DropFault | undefined,
  server: 'api' | 'cdn',
): Promise<void> {
  const hostHeader = req.headers.host ?? 'fake-cdn';
  const head = req.method === 'HEAD';
  const md = /^\/cdn\/md\/([^/]+)\.md$/.exec(path);
  if (md?.[1]) {
    const t = ctx.tasks.get(ctx.markdowns.get(md[1]) ?? '');
    if (!t) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
    const text = Buffer.from(agentMarkdown(stripExtension(t.name), t.pages), 'utf8');
    return sendBody(res, 200, 'text/markdown; charset=utf-8', text, head, drop);
  }
  const zm = /^\/cdn\/(\d{4}-\d{2}-\d{2})\/([0-9a-f-]+)\.zip$/.exec(path);
  if (!zm?.[2]) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
  if (server === 'cdn' && ctx.faults.cdnRedirectTo && query.redirected !== '1') {
    return redirect(res, ctx.faults.cdnRedirectTo, path, query);
  }
  const taskId = ctx.zips.get(zm[2]);
  const t = taskId ? ctx.tasks.get(taskId) : undefined;
  if (!t || t.zipId !== zm[2])
    return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
  if (t.zipExpired) return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
  const expiredCount = ctx.faults.cdnExpiredCount ?? 0;
  if (ctx.faults.cdnExpiredOnce || expiredCount > 0) {
    if (ctx.faults.cdnExpiredOnce) ctx.faults.cdnExpiredOnce = false;
    else ctx.faults.cdnExpiredCount = expiredCount - 1;
    t.zipExpired = true;
    return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
  }
  const plan = planZip(await zipEntriesFor(ctx, t));
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': plan.size,
    etag: `"${t.zipId}"`,
    'last-modified': new Date().toUTCString(),
    'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
  });
  if (head) {
    res.end();
    return;
  }
  const stall = takeFault(ctx.faults.stallNext, path);
  const cut = drop ?? stall;
  const limit = cut ? (cut.afterBytes ?? Math.floor(plan.size / 2)) : Infinity;
  let sent = 0;
  for (const part of plan.parts()) {
    if (res.destroyed) return;
    let piece = part;
    if (sent + piece.length > limit) piece = piece.subarray(0, Math.max(0, limit - sent));
    sent += piece.length;
    const ok = res.write(piece);
    if (sent >= limit && !drop) {
      // Stalled: nothing more is sent; the client (or close()) ends the connection.
      if (!res.destroyed) await new Promise<void>((resolve) => res.once('close', resolve));
      return;
    }
    if (sent >= limit) {
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      res.socket?.destroy();
      return;
    }
    if (!ok) await drainOrClose(res);
  }
  res.end();
}
