/**
 * CLI entry of the fake MinerU service (used by `npm run fake-server` and the `npm start` sandbox):
 *
 *   node out/test/fake-mineru/main.js [--port N] [--cdn-port N] [--any-token] [--timed|--per-poll]
 *                                     [--step-ms N] [--pages N] [--token T] [--host H] [--json]
 *
 * Prints the API base URL, the agent base URL, the CDN origin and the valid token (with --json: one
 * JSON line {apiOrigin, apiBaseUrl, agentBaseUrl, cdnOrigin, token}), then serves until
 * SIGINT/SIGTERM.
 *
 * With --self-hosted it starts the fake self-hosted server (selfHosted/server.ts) instead:
 *
 *   node out/test/fake-mineru/main.js --self-hosted [--port N] [--host H] [--version V] [--router [N]]
 *        [--max-concurrent N] [--retention S] [--cleanup-interval S] [--timed|--per-poll] [--step-ms N]
 *        [--pages N] [--bearer T] [--basic USER:PASSWORD] [--json]
 *
 * and prints its URL (with --json: one JSON line {baseUrl, version, router}).
 */
import type { FakeMinerUOptions } from '../server';
import { startFakeMinerU } from '../server';
import type { FakeSelfHostedOptions } from '../selfHosted/server';
import { startFakeSelfHosted } from '../selfHosted/server';
import { parseFlags } from './flags';

const USAGE =
  'usage: main.js [--port N] [--cdn-port N] [--any-token] [--timed|--per-poll] [--step-ms N] [--pages N] [--token T] [--host H] [--json]';

export interface FakeServerArgs {
  options: FakeMinerUOptions;
  /** Print one JSON line instead of the human-readable banner. */
  json: boolean;
}

export function parseArgs(argv: readonly string[]): FakeServerArgs {
  const opts: FakeMinerUOptions = {};
  let json = false;
  const tokens: string[] = [];
  parseFlags(
    argv,
    {
      '--port': { kind: 'integer', apply: (n) => (opts.apiPort = n) },
      '--cdn-port': { kind: 'integer', apply: (n) => (opts.cdnPort = n) },
      '--any-token': { kind: 'none', apply: () => (opts.acceptAnyToken = true) },
      '--json': { kind: 'none', apply: () => (json = true) },
      // --timed is the default; kept for old command lines
      '--timed': { kind: 'none', apply: () => (opts.progress = 'timed') },
      '--per-poll': { kind: 'none', apply: () => (opts.progress = 'per-poll') },
      '--step-ms': { kind: 'integer', apply: (n) => (opts.stepMs = n) },
      '--pages': { kind: 'integer', apply: (n) => (opts.pages = n) },
      '--token': { kind: 'string', apply: (t) => tokens.push(t) },
      '--host': { kind: 'string', apply: (h) => (opts.host = h) },
    },
    USAGE,
  );
  if (tokens.length > 0) opts.tokens = tokens;
  return { options: opts, json };
}

const SELF_HOSTED_USAGE =
  'usage: main.js --self-hosted [--port N] [--host H] [--version V] [--router [N]] [--max-concurrent N] ' +
  '[--retention S] [--cleanup-interval S] [--timed|--per-poll] [--step-ms N] [--pages N] [--bearer T] ' +
  '[--basic USER:PASSWORD] [--json]';

export interface SelfHostedArgs {
  options: FakeSelfHostedOptions;
  json: boolean;
}

/** Arguments after `--self-hosted` (the flag itself may appear anywhere). */
export function parseSelfHostedArgs(argv: readonly string[]): SelfHostedArgs {
  const opts: FakeSelfHostedOptions = {};
  let json = false;
  parseFlags(
    argv,
    {
      '--self-hosted': { kind: 'none', apply: () => undefined },
      '--port': { kind: 'integer', apply: (n) => (opts.port = n) },
      '--host': { kind: 'string', apply: (h) => (opts.host = h) },
      '--version': { kind: 'string', apply: (v) => (opts.version = v) },
      '--router': {
        kind: 'optionalInteger',
        apply: (n) => (opts.router = n === undefined ? true : { workers: n }),
      },
      '--max-concurrent': { kind: 'integer', apply: (n) => (opts.maxConcurrent = n) },
      '--retention': { kind: 'seconds', apply: (n) => (opts.retentionSeconds = n) },
      '--cleanup-interval': { kind: 'seconds', apply: (n) => (opts.cleanupIntervalSeconds = n) },
      '--timed': { kind: 'none', apply: () => (opts.progress = 'timed') },
      '--per-poll': { kind: 'none', apply: () => (opts.progress = 'per-poll') },
      '--step-ms': { kind: 'integer', apply: (n) => (opts.stepMs = n) },
      '--pages': { kind: 'integer', apply: (n) => (opts.pages = n) },
      '--bearer': {
        kind: 'string',
        apply: (t) => (opts.auth = { ...opts.auth, bearer: [...(opts.auth?.bearer ?? []), t] }),
      },
      '--basic': {
        kind: 'string',
        apply: (v) => {
          const at = v.indexOf(':');
          if (at < 0) throw new Error(`--basic needs USER:PASSWORD\n${SELF_HOSTED_USAGE}`);
          const cred = { user: v.slice(0, at), password: v.slice(at + 1) };
          opts.auth = { ...opts.auth, basic: [...(opts.auth?.basic ?? []), cred] };
        },
      },
      '--json': { kind: 'none', apply: () => (json = true) },
    },
    SELF_HOSTED_USAGE,
  );
  return { options: opts, json };
}

function serveUntilSignal(close: () => Promise<void>, label: string): void {
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${label}: ${signal}, shutting down\n`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function mainSelfHosted(argv: readonly string[]): Promise<void> {
  const { options, json } = parseSelfHostedArgs(argv);
  const fake = await startFakeSelfHosted(options);
  const router = options.router !== undefined && options.router !== false;
  if (json)
    process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, version: fake.version, router })}\n`);
  else
    process.stdout.write(
      [
        `Self-hosted MinerU (${router ? 'mineru-router' : 'mineru-api'} ${fake.version}): ${fake.baseUrl}`,
        ...(options.auth ? ['(behind a proxy that checks credentials)'] : []),
        '',
      ].join('\n'),
    );
  serveUntilSignal(() => fake.close(), 'fake self-hosted MinerU');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--self-hosted')) return mainSelfHosted(argv);
  const { options, json } = parseArgs(argv);
  const fake = await startFakeMinerU(options);
  if (json) {
    const { apiOrigin, apiBaseUrl, agentBaseUrl, cdnOrigin, token } = fake;
    process.stdout.write(`${JSON.stringify({ apiOrigin, apiBaseUrl, agentBaseUrl, cdnOrigin, token })}\n`);
  } else
    process.stdout.write(
      [
        `API base URL:   ${fake.apiBaseUrl}`,
        `Agent base URL: ${fake.agentBaseUrl}`,
        `CDN origin:     ${fake.cdnOrigin}`,
        `Token:          ${fake.token}`,
        '',
      ].join('\n'),
    );
  serveUntilSignal(() => fake.close(), 'fake MinerU');
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
