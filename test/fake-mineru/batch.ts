// Precise API, batches: POST /extract/task/batch (URLs), POST /file-urls/batch (uploads: one
// presigned PUT URL per file) and GET /extract-results/batch/<id>.
import type { FakeContext } from './context';
import type { DocInput } from './model';
import { BusinessError, ERR_MSG, fileNameFromUrl, optString } from './model';
import { applyDocPages, urlDocPages } from './limits';
import { pollTask } from './progress';
import { checkDoc, createTask, newBatch, parseDocFields, readBatchBody } from './submit';
import { batchData, envelope } from './views';

/** The answer of a batch route (`route` without /api/v4), or undefined when none matches. */
export function batchRoute(
  ctx: FakeContext,
  method: string,
  route: string,
  owner: string,
  body: unknown,
): unknown {
  if (method === 'POST' && route === '/extract/task/batch') {
    const { files, common } = readBatchBody(ctx, body);
    const docs = files.map((f): DocInput => {
      const url = optString(f, 'url');
      if (!url) throw new BusinessError(-10002, `${ERR_MSG.param}: files[].url is required`);
      return { source: 'url', url, name: fileNameFromUrl(url), ...parseDocFields(f) };
    });
    for (const d of docs) checkDoc(d, common);
    return Promise.all(docs.map((d) => urlDocPages(ctx, d.url ?? '', d.pageRanges))).then((pages) => {
      const batch = newBatch(ctx, owner, common);
      docs.forEach((d, i) => {
        const t = createTask(ctx, 'batch-item', owner, d, common, i, batch.id);
        const p = pages[i];
        if (p) applyDocPages(t, p);
        batch.taskIds.push(t.id);
      });
      return envelope(ctx, { batch_id: batch.id });
    });
  }
  if (method === 'POST' && route === '/file-urls/batch') {
    const { files, common } = readBatchBody(ctx, body);
    const docs = files.map((f): DocInput => {
      const name = optString(f, 'name');
      if (!name) throw new BusinessError(-10002, `${ERR_MSG.param}: files[].name is required`);
      return { source: 'upload', name, ...parseDocFields(f) };
    });
    for (const d of docs) checkDoc(d, common);
    const batch = newBatch(ctx, owner, common);
    const urls: string[] = [];
    docs.forEach((d, i) => {
      const t = createTask(ctx, 'batch-item', owner, d, common, i, batch.id);
      batch.taskIds.push(t.id);
      urls.push(t.uploadUrl ?? '');
    });
    return envelope(ctx, { batch_id: batch.id, file_urls: urls });
  }
  const m = /^\/extract-results\/batch\/([^/]+)$/.exec(route);
  if (method === 'GET' && m?.[1]) {
    const batch = ctx.batches.get(decodeURIComponent(m[1]));
    if (!batch) throw new BusinessError(-60012, ERR_MSG.notFound);
    if (!ctx.options.acceptAnyToken && batch.owner !== owner) {
      throw new BusinessError(-60013, 'no permission to access this task');
    }
    batch.polls += 1;
    if (ctx.faults.emptyExtractResultOnce && batch.polls === 1) {
      return envelope(ctx, { batch_id: batch.id, extract_result: [] });
    }
    const data = batchData(ctx, batch);
    for (const id of batch.taskIds) {
      const t = ctx.tasks.get(id);
      if (t) pollTask(ctx, t);
    }
    return envelope(ctx, data);
  }
  return undefined;
}
