/** The messages between splitter.ts (host) and splitWorker.ts (worker thread): plain data only. */
import type { SplitErrorCode, SplitResult } from './splitErrors';
import type { SplitLimits } from './splitPlan';

export interface SplitWorkerInput {
  filePath: string;
  limits: SplitLimits;
  folder: string;
}

export type SplitWorkerMessage =
  | { type: 'file'; path: string }
  | { type: 'progress'; pagesDone: number; totalPages: number }
  | { type: 'done'; result: SplitResult }
  /** `code` is absent for an unexpected failure (a disk error, a bug): `message` says what. */
  | { type: 'error'; code?: SplitErrorCode; page?: number; detail?: string; message: string };
