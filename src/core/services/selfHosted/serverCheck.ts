/**
 * "Test Connection" for the user's own server: `GET /health` (version, healthy or not), the
 * credential (a proxy's 401/403 on any of these), and whether the task API `/tasks` exists. A 2.x
 * server has only the synchronous `/file_parse`; it is named as such and refused: the extension
 * needs 3.x (see selfHostedService.ts for why there is no /file_parse fallback).
 */
import { MinerUError } from '../../errors';
import type { SelfHostedClient } from './serverClient';

export type ServerCheckId = 'server' | 'credential' | 'tasks';

export interface ServerCheck {
  id: ServerCheckId;
  outcome: 'passed' | 'failed' | 'skipped';
  /** What was found, in English (for the log): "MinerU 3.4.4, healthy". */
  detail: string;
  version?: string;
  healthy?: boolean;
  /** The server has only /file_parse (MinerU 2.x). */
  legacy?: boolean;
  error?: MinerUError;
}

export async function checkServer(
  client: SelfHostedClient,
  hasCredential: boolean,
  signal?: AbortSignal,
): Promise<ServerCheck[]> {
  const credentialPassed = (): ServerCheck => ({
    id: 'credential',
    outcome: hasCredential ? 'passed' : 'skipped',
    detail: hasCredential ? 'accepted' : 'none set',
  });
  let server: ServerCheck;
  try {
    const h = await client.health(signal);
    server = {
      id: 'server',
      outcome: h.healthy ? 'passed' : 'failed',
      detail: `MinerU ${h.version ?? '(version unknown)'}, ${h.healthy ? 'healthy' : `unhealthy${h.error ? `: ${h.error}` : ''}`}`,
      ...(h.version ? { version: h.version } : {}),
      healthy: h.healthy,
    };
  } catch (error) {
    if (!(error instanceof MinerUError)) throw error;
    if (error.reason === 'selfHosted.credential') {
      return [
        { id: 'server', outcome: 'skipped', detail: 'behind the proxy' },
        { id: 'credential', outcome: 'failed', detail: error.message, error },
        { id: 'tasks', outcome: 'skipped', detail: 'not checked' },
      ];
    }
    if (error.reason === 'selfHosted.noRoute' && (await client.isLegacy(signal).catch(() => false))) {
      return [
        { id: 'server', outcome: 'failed', detail: 'MinerU 2.x (no /health): 3.x is needed', legacy: true },
        credentialPassed(),
        { id: 'tasks', outcome: 'failed', detail: 'no /tasks (only /file_parse)', legacy: true },
      ];
    }
    return [
      { id: 'server', outcome: 'failed', detail: error.message, error },
      { id: 'credential', outcome: 'skipped', detail: 'not checked' },
      { id: 'tasks', outcome: 'skipped', detail: 'not checked' },
    ];
  }
  let tasks: ServerCheck;
  try {
    const ok = await client.hasTaskApi(signal);
    tasks = ok
      ? { id: 'tasks', outcome: 'passed', detail: '/tasks answers' }
      : { id: 'tasks', outcome: 'failed', detail: 'no /tasks route', legacy: true };
  } catch (error) {
    if (!(error instanceof MinerUError)) throw error;
    tasks = { id: 'tasks', outcome: 'failed', detail: error.message, error };
  }
  return [server, credentialPassed(), tasks];
}
