// Steering and fault injection: keywords in a document's URL or name, the route faults of
// `fake.faults` (taken one firing at a time), and the HTTP faults both servers apply first.
import type * as http from 'node:http';
import { sendBody, drain, errorPage } from './http';
import type { Failure } from './model';
import { ERR_MSG } from './model';
import type {
  FakeFaultControls,
  FakeFaults,
  RecordedRequest,
  RouteFault,
  TaskFailureOptions,
  TaskNameMatch,
} from './types';

export interface Keywords {
  pages?: number;
  slow: boolean;
  failure?: Failure;
  tooLarge: boolean;
  tooManyPages: boolean;
}

/**
 * Keywords in a URL or file name (case-insensitive) that steer the fake:
 * `fail`, `corrupt`, `unfetchable`, `pages-<N>`, `slow`, `toolarge`, `toomanypages`.
 */
export function keywords(text: string): Keywords {
  const t = text.toLowerCase();
  const k: Keywords = {
    slow: t.includes('slow'),
    tooLarge: t.includes('toolarge'),
    tooManyPages: t.includes('toomanypages'),
  };
  const pm = /pages-(\d+)/.exec(t);
  if (pm?.[1]) k.pages = Math.max(1, Number(pm[1]));
  if (t.includes('corrupt')) k.failure = { from: 'pending', errMsg: ERR_MSG.readFailed, errCode: -60003 };
  else if (t.includes('unfetchable'))
    k.failure = { from: 'pending', errMsg: ERR_MSG.readTimeout, errCode: -60008 };
  else if (t.includes('fail')) k.failure = { from: 'running', errMsg: ERR_MSG.parseFailed, errCode: -60010 };
  return k;
}

export function faultList<T extends RouteFault>(f: T | T[] | undefined): T[] {
  if (!f) return [];
  return Array.isArray(f) ? f : [f];
}

export function takeFault<T extends RouteFault>(f: T | T[] | undefined, path: string): T | undefined {
  for (const entry of faultList(f)) {
    if (entry.count <= 0) continue;
    if (entry.route !== undefined && !new RegExp(entry.route).test(path)) continue;
    entry.count -= 1;
    return entry;
  }
  return undefined;
}

/** Faults common to both servers. Returns true when the request was fully handled. */
export async function applyHttpFaults(
  faults: FakeFaults,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rec: RecordedRequest,
  path: string,
): Promise<boolean> {
  if (takeFault(faults.hangNext, path)) {
    await drain(req, rec);
    return true; // never answer; close() destroys the socket
  }
  const fail = takeFault(faults.failNext, path);
  if (fail) {
    await drain(req, rec);
    const body = fail.body ?? errorPage(fail.status);
    const looksJson = /^\s*[[{]/.test(body);
    const headers: Record<string, string> = { ...(fail.headers ?? {}) };
    if (fail.retryAfter !== undefined) headers['retry-after'] = String(fail.retryAfter);
    sendBody(
      res,
      fail.status,
      fail.contentType ?? (looksJson ? 'application/json; charset=utf-8' : 'text/html'),
      Buffer.from(body, 'utf8'),
      req.method === 'HEAD',
      undefined,
      headers,
    );
    return true;
  }
  return false;
}

/** The `fake.faults` object: plain switches, and failTaskOnce (not enumerable, so reset() keeps it). */
export function createFaults(): FakeFaultControls {
  const faults = {} as FakeFaultControls;
  Object.defineProperty(faults, 'failTaskOnce', {
    enumerable: false,
    value(match: TaskNameMatch, options: TaskFailureOptions = {}): void {
      faults.failTasks = [...(faults.failTasks ?? []), { ...options, match, count: 1 }];
    },
  });
  return faults;
}

function matches(match: TaskNameMatch, text: string): boolean {
  if (typeof match === 'string') return text === match || text.includes(match);
  if (match instanceof RegExp) return new RegExp(match.source, match.flags.replace('g', '')).test(text);
  return match(text);
}

/** The failure a new task for `name` (or `url`) takes from faults.failTasks, if one matches. */
export function takeTaskFailure(faults: FakeFaults, name: string, url?: string): Failure | undefined {
  for (const f of faults.failTasks ?? []) {
    if (f.count <= 0) continue;
    if (!matches(f.match, name) && !(url !== undefined && matches(f.match, url))) continue;
    f.count -= 1;
    return {
      from: f.from ?? 'running',
      errMsg: f.errMsg ?? ERR_MSG.parseFailed,
      errCode: f.errCode ?? -60010,
    };
  }
  return undefined;
}
