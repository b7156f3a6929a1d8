/** The step of the work that failed; every message the user sees names it. `parse` is the service's own work. */
export type Phase = 'validate' | 'submit' | 'upload' | 'poll' | 'parse' | 'download' | 'extract';

export interface MinerUErrorInit {
  phase: Phase;
  /** Short human message: what went wrong. Never contains the token. */
  message: string;
  /** The next step for the user, e.g. "Set a new API token". */
  hint?: string;
  /** Service code (A0202, -60005, -30003 …) or a transport code (ETIMEDOUT, HTTP_502 …). */
  code?: string;
  httpStatus?: number;
  traceId?: string;
  /** Host involved (api, upload or CDN host), to tell proxy trouble apart. */
  host?: string;
  /** Whether trying the same thing again later may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error type the engine throws for anything the user should hear about. */
export class MinerUError extends Error {
  readonly phase: Phase;
  readonly hint: string | undefined;
  readonly code: string | undefined;
  readonly httpStatus: number | undefined;
  readonly traceId: string | undefined;
  readonly host: string | undefined;
  readonly retryable: boolean;

  constructor(init: MinerUErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MinerUError';
    this.phase = init.phase;
    this.hint = init.hint;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.traceId = init.traceId;
    this.host = init.host;
    this.retryable = init.retryable ?? false;
  }

  /** A serialisable summary, kept on task records. */
  toJSON(): SerializedError {
    return {
      phase: this.phase,
      message: this.message,
      hint: this.hint,
      code: this.code,
      httpStatus: this.httpStatus,
      traceId: this.traceId,
      host: this.host,
      retryable: this.retryable,
    };
  }
}

export interface SerializedError {
  phase: Phase;
  message: string;
  hint?: string | undefined;
  code?: string | undefined;
  httpStatus?: number | undefined;
  traceId?: string | undefined;
  host?: string | undefined;
  retryable: boolean;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "Download failed: <why>. <next step>" — the one-line form shown to users. */
export function describeError(error: SerializedError): string {
  const phase = error.phase.charAt(0).toUpperCase() + error.phase.slice(1);
  const parts = [`${phase} failed: ${error.message}`];
  if (error.code) parts[0] += ` (${error.code})`;
  if (error.hint) parts.push(error.hint);
  return parts.join('. ').replace(/\.\./g, '.');
}

/** Code of the error for a result link that no longer works (403/404/410): poll again for a fresh one. */
export const LINK_EXPIRED = 'LINK_EXPIRED';
