// Precise API, one document: POST /extract/task (a URL) and GET /extract/task/<id> (also answers
// for the items of a batch, as the service does).
import type { FakeContext } from './context';
import type { DocInput, Task } from './model';
import { BusinessError, ERR_MSG, fileNameFromUrl, optString } from './model';
import { applyDocPages, urlDocPages } from './limits';
import { pollTask } from './progress';
import { checkDoc, createTask, parseCommon, parseDocFields, requireRecord } from './submit';
import type { FakeTaskKind } from './types';
import { envelope, taskData } from './views';

function ownedTask(ctx: FakeContext, id: string, owner: string, kind: FakeTaskKind[]): Task {
  const t = ctx.tasks.get(id);
  if (!t || !kind.includes(t.kind)) throw new BusinessError(-60012, ERR_MSG.notFound);
  if (!ctx.options.acceptAnyToken && t.owner !== owner) {
    throw new BusinessError(-60013, 'no permission to access this task');
  }
  return t;
}

/** The answer of a single-task route (`route` without /api/v4), or undefined when none matches. */
export function preciseRoute(
  ctx: FakeContext,
  method: string,
  route: string,
  owner: string,
  body: unknown,
): unknown {
  if (method === 'POST' && route === '/extract/task') {
    const b = requireRecord(body);
    const url = optString(b, 'url');
    if (!url) throw new BusinessError(-10002, `${ERR_MSG.param}: url is required`);
    const common = parseCommon(b);
    const doc: DocInput = { source: 'url', url, name: fileNameFromUrl(url), ...parseDocFields(b) };
    checkDoc(doc, common);
    return urlDocPages(ctx, url, doc.pageRanges).then((pages) => {
      const t = createTask(ctx, 'task', owner, doc, common, 0);
      if (pages) applyDocPages(t, pages);
      return envelope(ctx, { task_id: t.id });
    });
  }
  const m = /^\/extract\/task\/([^/]+)$/.exec(route);
  if (method === 'GET' && m?.[1] && m[1] !== 'batch') {
    const t = ownedTask(ctx, decodeURIComponent(m[1]), owner, ['task', 'batch-item']);
    const data = taskData(ctx, t);
    pollTask(ctx, t);
    return envelope(ctx, data);
  }
  return undefined;
}
