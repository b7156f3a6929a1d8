// Task creation: reading and validating a submission (common options, per-document fields, the
// submit-time checks), then creating tasks and batches, with presigned upload URLs for uploads.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FakeContext } from './context';
import { keywords, takeTaskFailure } from './faults';
import type { Batch, CommonOptions, DocInput, Task } from './model';
import {
  BusinessError,
  ERR_MSG,
  EXTRA_FORMATS,
  MODEL_VERSIONS,
  PAGE_RANGES_RE,
  SEED_RE,
  SUPPORTED_EXT,
  dateStamp,
  extensionOf,
  isRecord,
  optBool,
  optString,
  selectedPages,
} from './model';
import type { FakeTaskKind } from './types';

export function requireRecord(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new BusinessError(-500, 'parameter error: the body must be a JSON object');
  return body;
}

/** The shared part of the two batch requests: a non-empty files[] of objects within the limit. */
export function readBatchBody(
  ctx: FakeContext,
  body: unknown,
): {
  files: Record<string, unknown>[];
  common: CommonOptions;
} {
  const b = requireRecord(body);
  const files: unknown = b.files;
  if (!Array.isArray(files) || files.length === 0) {
    throw new BusinessError(-10002, `${ERR_MSG.param}: files is required`);
  }
  if (files.length > ctx.batchLimit) {
    throw new BusinessError(
      -10002,
      `${ERR_MSG.param}: the number of files exceeds the limit (${ctx.batchLimit})`,
    );
  }
  const items = files.map((f: unknown) => {
    if (!isRecord(f)) throw new BusinessError(-10002, `${ERR_MSG.param}: files[] items must be objects`);
    return f;
  });
  return { files: items, common: parseCommon(b) };
}

export function parseCommon(body: Record<string, unknown>): CommonOptions {
  const modelVersion = optString(body, 'model_version') ?? 'pipeline';
  if (!MODEL_VERSIONS.has(modelVersion)) {
    throw new BusinessError(
      -10002,
      `${ERR_MSG.param}: model_version must be one of pipeline, vlm, MinerU-HTML`,
    );
  }
  const ef = body.extra_formats;
  let extraFormats: string[] = [];
  if (ef !== undefined && ef !== null) {
    if (!Array.isArray(ef) || !ef.every((f): f is string => typeof f === 'string' && EXTRA_FORMATS.has(f))) {
      throw new BusinessError(-10002, `${ERR_MSG.param}: extra_formats must be a list of docx, html, latex`);
    }
    extraFormats = [...new Set(ef)];
  }
  optBool(body, 'enable_formula');
  optBool(body, 'enable_table');
  optBool(body, 'no_cache');
  const language = optString(body, 'language');
  const callbackUrl = optString(body, 'callback');
  const seed = optString(body, 'seed');
  const common: CommonOptions = { modelVersion, extraFormats };
  if (language !== undefined) common.language = language;
  if (callbackUrl !== undefined && callbackUrl !== '') {
    if (!/^https?:\/\//i.test(callbackUrl)) {
      throw new BusinessError(-10002, `${ERR_MSG.param}: callback must be an http(s) url`);
    }
    if (!seed) throw new BusinessError(-10002, `${ERR_MSG.param}: seed is required when callback is set`);
    if (!SEED_RE.test(seed)) throw new BusinessError(-10002, `${ERR_MSG.param}: invalid seed`);
    common.callback = { url: callbackUrl, seed };
  }
  return common;
}

export function parseDocFields(o: Record<string, unknown>): {
  dataId?: string;
  isOcr: boolean;
  pageRanges?: string;
} {
  const dataId = optString(o, 'data_id');
  if (dataId !== undefined && dataId.length > 128) {
    throw new BusinessError(-10002, `${ERR_MSG.param}: data_id is longer than 128 characters`);
  }
  const isOcr = optBool(o, 'is_ocr') ?? false;
  const pageRanges = optString(o, 'page_ranges');
  if (pageRanges !== undefined && pageRanges !== '' && !PAGE_RANGES_RE.test(pageRanges)) {
    throw new BusinessError(-10002, `${ERR_MSG.param}: invalid page_ranges`);
  }
  const r: { dataId?: string; isOcr: boolean; pageRanges?: string } = { isOcr };
  if (dataId !== undefined) r.dataId = dataId;
  if (pageRanges !== undefined && pageRanges !== '') r.pageRanges = pageRanges;
  return r;
}

/** Submit-time checks shared by URL and upload documents. */
export function checkDoc(doc: DocInput, common: CommonOptions): void {
  const ext = extensionOf(doc.name);
  const htmlModel = common.modelVersion === 'MinerU-HTML';
  if (!SUPPORTED_EXT.has(ext) && !(htmlModel && doc.source === 'url')) {
    throw new BusinessError(-60002, ERR_MSG.format);
  }
  const k = keywords(doc.url ?? doc.name);
  if (k.tooLarge) throw new BusinessError(-60005, ERR_MSG.tooLarge);
  if (k.tooManyPages) throw new BusinessError(-60006, ERR_MSG.tooManyPages);
}

export function createTask(
  ctx: FakeContext,
  kind: FakeTaskKind,
  owner: string,
  doc: DocInput,
  common: CommonOptions,
  index: number,
  batchId?: string,
): Task {
  const k = keywords(doc.url ?? doc.name);
  const total = k.pages ?? ctx.defaultPages;
  const fileName = ctx.faults.cjkNames
    ? `${Date.now()}_${randomBytes(4).toString('hex')}_图片_${doc.name}`
    : doc.name;
  const t: Task = {
    id: randomUUID(),
    kind,
    index,
    owner,
    source: doc.source,
    name: doc.name,
    fileName,
    modelVersion: common.modelVersion,
    extraFormats: [...common.extraFormats],
    isOcr: doc.isOcr,
    state: doc.source === 'upload' ? 'waiting-file' : kind === 'agent' ? 'uploading' : 'pending',
    pages: selectedPages(doc.pageRanges, total),
    extractedPages: 0,
    slowSteps: k.slow ? 3 : 0,
    errMsg: '',
    innerUuid: randomUUID(),
    zipDate: dateStamp(),
    zipExpired: false,
    polls: 0,
    callbackSent: false,
  };
  if (k.failure) t.failure = k.failure;
  const injected = takeTaskFailure(ctx.faults, doc.name, doc.url);
  if (injected) t.failure = injected;
  if (batchId !== undefined) t.batchId = batchId;
  if (doc.url !== undefined) t.url = doc.url;
  if (doc.dataId !== undefined) t.dataId = doc.dataId;
  if (doc.pageRanges !== undefined) t.pageRanges = doc.pageRanges;
  if (common.language !== undefined) t.language = common.language;
  if (kind === 'task' && common.callback) t.callback = common.callback;
  if (doc.source === 'upload') {
    const key = `${randomUUID()}.${extensionOf(doc.name) || 'bin'}`;
    t.uploadKey = key;
    t.uploadUrl = presign(ctx, key);
    ctx.uploads.set(key, t.id);
  }
  ctx.tasks.set(t.id, t);
  return t;
}

export function sign(ctx: FakeContext, key: string, expires: number): string {
  return createHmac('sha256', ctx.signingKey).update(`${key}\n${expires}`).digest('hex').slice(0, 40);
}

function presign(ctx: FakeContext, key: string): string {
  const expires = Math.floor(Date.now() / 1000) + 24 * 3600;
  return `${ctx.cdnOrigin}/upload/${encodeURIComponent(key)}?Expires=${expires}&OSSAccessKeyId=fake&Signature=${sign(ctx, key, expires)}`;
}

export function newBatch(ctx: FakeContext, owner: string, common: CommonOptions): Batch {
  const b: Batch = { id: randomUUID(), owner, taskIds: [], polls: 0, callbackSent: false };
  if (common.callback) b.callback = common.callback;
  ctx.batches.set(b.id, b);
  return b;
}
