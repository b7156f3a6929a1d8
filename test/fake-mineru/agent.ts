// Agent ("quick") API, no token: POST /parse/url, POST /parse/file (returns a presigned PUT URL)
// and GET /parse/<id> (a Markdown URL when done).
import type { FakeContext } from './context';
import { keywords, takeFault } from './faults';
import type { CommonOptions, DocInput } from './model';
import {
  AGENT_EXT,
  AGENT_MAX_PAGES,
  AGENT_PAGE_RANGE_RE,
  BusinessError,
  ERR_MSG,
  HttpError,
  extensionOf,
  fileNameFromUrl,
  optBool,
  optString,
  traceId,
} from './model';
import { pollTask } from './progress';
import { createTask, requireRecord } from './submit';
import { agentData, businessEnvelope, envelope } from './views';

function agentError(c: number, msg: string): BusinessError {
  return new BusinessError(c, msg);
}

/** Every request under /api/v1/agent/ (`path` is the full path). */
export function handleAgent(ctx: FakeContext, method: string, path: string, body: unknown): unknown {
  const route = path.slice('/api/v1/agent'.length);
  const bizFault = takeFault(ctx.faults.businessErrorNext, path);
  if (bizFault)
    return businessEnvelope(ctx, bizFault.code, bizFault.msg ?? 'service error, please try again later');

  if (method === 'POST' && (route === '/parse/url' || route === '/parse/file')) {
    const b = requireRecord(body);
    const isUrl = route === '/parse/url';
    const url = isUrl ? optString(b, 'url') : undefined;
    if (isUrl && !url) throw agentError(-30004, `${ERR_MSG.agentParam}: url is required`);
    const explicitName = optString(b, 'file_name');
    if (!isUrl && !explicitName) throw agentError(-30004, `${ERR_MSG.agentParam}: file_name is required`);
    const name = explicitName || fileNameFromUrl(url ?? '');
    const pageRange = optString(b, 'page_range');
    if (pageRange !== undefined && pageRange !== '' && !AGENT_PAGE_RANGE_RE.test(pageRange)) {
      throw agentError(-30004, `${ERR_MSG.agentParam}: page_range must be N or N-M`);
    }
    optBool(b, 'enable_table');
    optBool(b, 'enable_formula');
    const isOcr = optBool(b, 'is_ocr') ?? false;
    const language = optString(b, 'language');
    if (!AGENT_EXT.has(extensionOf(name))) throw agentError(-30002, ERR_MSG.agentType);
    const doc: DocInput = { source: isUrl ? 'url' : 'upload', name, isOcr };
    if (url !== undefined) doc.url = url;
    const common: CommonOptions = { modelVersion: 'vlm', extraFormats: [] };
    if (language !== undefined) common.language = language;
    const t = createTask(ctx, 'agent', '', doc, common, 0);
    if (pageRange) {
      const [a, z] = pageRange.split('-').map((s) => Number(s.trim()));
      if (a !== undefined && z !== undefined && z >= a) t.pages = Math.min(t.pages, z - a + 1);
      else if (a !== undefined && z === undefined) t.pages = 1;
    }
    const k = keywords(url ?? name);
    if (k.tooLarge) t.failure = { from: 'pending', errMsg: ERR_MSG.agentTooLarge, errCode: -30001 };
    else if (t.pages > AGENT_MAX_PAGES || k.tooManyPages) {
      t.failure = { from: 'pending', errMsg: ERR_MSG.agentPages, errCode: -30003 };
    }
    const data: Record<string, unknown> = { task_id: t.id };
    if (!isUrl) data.file_url = t.uploadUrl;
    return envelope(ctx, data);
  }
  const m = /^\/parse\/([^/]+)$/.exec(route);
  if (method === 'GET' && m?.[1]) {
    const t = ctx.tasks.get(decodeURIComponent(m[1]));
    if (!t || t.kind !== 'agent') throw new BusinessError(-60012, ERR_MSG.notFound);
    const data = agentData(ctx, t);
    pollTask(ctx, t);
    return envelope(ctx, data);
  }
  throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });
}
