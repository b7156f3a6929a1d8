/**
 * One request to a self-hosted server on node's http(s), as the client has built it: no redirects
 * followed, an abort and a timeout (whole answer for JSON calls, idle otherwise), the upload body
 * streamed with progress. Network failures become MinerUErrors with the secrets kept out.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Readable } from 'node:stream';
import type { TransferProgress } from '../../api/types';
import { MinerUError, type Phase } from '../../errors';
import { abortReason } from '../../util/clock';
import { transportError } from './serverErrors';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
  /** Bytes arrived: the idle timeout starts again. */
  touch(): void;
}

export interface SendOptions {
  phase: Phase;
  signal?: AbortSignal | undefined;
  body?: { contentType: string; length: number; open(): Readable } | undefined;
  onUploadProgress?: TransferProgress | undefined;
  /** Whole-answer timeout (JSON); otherwise the idle timeout applies until the headers arrive. */
  timeoutMs?: number;
}

/** Sends one request and resolves with the answer's status, headers and streamed body. */
export function requestOnce(
  lib: typeof http | typeof https,
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string | number>,
  opts: SendOptions,
  limits: { idleTimeoutMs: number; secrets: string[] },
): Promise<Answer> {
  const secrets = limits.secrets;
  const signal = opts.signal;
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const limit = opts.timeoutMs ?? limits.idleTimeoutMs;
    const finish = (error: Error | undefined, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        if (timer) clearTimeout(timer);
        req.destroy();
        reject(error);
      } else resolve(answer!);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const timeout = transportError(
          new Error('timeout'),
          opts.phase,
          url.toString(),
          { ms: limit },
          secrets,
        );
        if (!settled) finish(timeout);
        else req.destroy(timeout);
      }, limit);
    };
    const onAbort = (): void => finish(abortReason(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const req = lib.request(url, { method, headers }, (res) => {
      // Streamed answer: the idle timer starts again now, and with every chunk the reader
      // reports (`touch`); a 'data' listener here would start the flow before anyone reads.
      if (opts.timeoutMs === undefined) arm();
      res.on('end', () => timer && clearTimeout(timer));
      res.on('close', () => timer && clearTimeout(timer));
      if (signal) {
        const abortBody = (): void => void res.destroy(abortReason(signal));
        signal.addEventListener('abort', abortBody, { once: true });
        res.on('close', () => signal.removeEventListener('abort', abortBody));
      }
      finish(undefined, {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: res,
        touch: () => {
          if (opts.timeoutMs === undefined) arm();
        },
      });
    });
    req.on('error', (error) => {
      if (settled) return;
      finish(
        signal?.aborted
          ? abortReason(signal)
          : transportError(error, opts.phase, url.toString(), undefined, secrets),
      );
    });
    arm();
    if (!opts.body) {
      req.end();
      return;
    }
    let sent = 0;
    const total = opts.body.length;
    const stream = opts.body.open();
    stream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (opts.timeoutMs === undefined) arm();
      opts.onUploadProgress?.(sent, total);
    });
    stream.on('error', (error) =>
      finish(
        new MinerUError({
          phase: opts.phase,
          code: 'FILE_READ',
          message: `The file could not be read while it was uploaded: ${error.message}`,
          retryable: true,
        }),
      ),
    );
    stream.pipe(req);
  });
}
