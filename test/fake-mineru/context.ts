// The state one fake holds, shared by every route family: its options, the tasks, batches and the
// keys that reach them (zips, uploads, agent Markdown), and what it recorded.
import type { Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Batch, Task } from './model';
import { DEFAULT_LIMITS, dateStamp } from './model';
import { createFaults } from './faults';
import type {
  CallbackAttempt,
  FakeFaultControls,
  FakeLimits,
  FakeMinerUOptions,
  RecordedRequest,
} from './types';

export interface FakeContext {
  readonly options: FakeMinerUOptions;
  readonly host: string;
  readonly tokens: string[];
  readonly expiredTokens: string[];
  readonly progressMode: 'timed' | 'manual' | 'per-poll';
  readonly stepMs: number;
  readonly defaultPages: number;
  readonly batchLimit: number;
  readonly signingKey: Buffer;
  readonly requests: RecordedRequest[];
  readonly callbacks: CallbackAttempt[];
  readonly faults: FakeFaultControls;
  readonly tasks: Map<string, Task>;
  readonly batches: Map<string, Batch>;
  /** zipId -> taskId */
  readonly zips: Map<string, string>;
  /** upload key -> taskId */
  readonly uploads: Map<string, string>;
  /** md id -> taskId */
  readonly markdowns: Map<string, string>;
  readonly sockets: Set<Socket>;
  readonly timers: Set<NodeJS.Timeout>;
  /** The service's limits (fake.limits). */
  limits: FakeLimits;
  /** fake.readUrls: fetch loopback URL documents at submit. */
  readUrls: boolean;
  /** Set once the servers listen. */
  apiOrigin: string;
  cdnOrigin: string;
}

export function createContext(options: FakeMinerUOptions): FakeContext {
  return {
    options,
    host: options.host ?? '127.0.0.1',
    tokens: options.tokens ?? ['test-token'],
    expiredTokens: options.expiredTokens ?? [],
    progressMode: options.progress ?? 'timed',
    stepMs: options.stepMs ?? 300,
    defaultPages: options.pages ?? 3,
    batchLimit: options.batchLimit ?? 200,
    signingKey: randomBytes(16),
    requests: [],
    callbacks: [],
    faults: createFaults(),
    tasks: new Map(),
    batches: new Map(),
    zips: new Map(),
    uploads: new Map(),
    markdowns: new Map(),
    sockets: new Set(),
    timers: new Set(),
    limits: { ...DEFAULT_LIMITS },
    readUrls: options.readUrls ?? false,
    apiOrigin: '',
    cdnOrigin: '',
  };
}

/** A fresh result zip link for a task (the old one stops working). */
export function issueZip(ctx: FakeContext, t: Task): void {
  if (t.zipId) ctx.zips.delete(t.zipId);
  t.zipId = randomUUID();
  t.zipDate = dateStamp();
  t.zipExpired = false;
  ctx.zips.set(t.zipId, t.id);
}

export function zipUrl(ctx: FakeContext, t: Task): string {
  return `${ctx.cdnOrigin}/cdn/${t.zipDate}/${t.zipId ?? ''}.zip`;
}

export function markdownUrl(ctx: FakeContext, mdId: string): string {
  return `${ctx.cdnOrigin}/cdn/md/${mdId}.md`;
}
