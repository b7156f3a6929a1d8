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

const USAGE =
  'usage: main.js [--port N] [--cdn-port N] [--any-token] [--timed|--per-poll] [--step-ms N] [--pages N] [--token T] [--host H] [--json]';

function numberArg(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0) {
    throw new Error(`${flag} needs a non-negative integer\n${USAGE}`);
  }
  return n;
}

export interface FakeServerArgs {
  options: FakeMinerUOptions;
  /** Print one JSON line instead of the human-readable banner. */
  json: boolean;
}

export function parseArgs(argv: readonly string[]): FakeServerArgs {
  const opts: FakeMinerUOptions = {};
  let json = false;
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (arg) {
      case '--port':
        opts.apiPort = numberArg(arg, next());
        break;
      case '--cdn-port':
        opts.cdnPort = numberArg(arg, next());
        break;
      case '--any-token':
        opts.acceptAnyToken = true;
        break;
      case '--json':
        json = true;
        break;
      case '--timed': // the default; kept for old command lines
        opts.progress = 'timed';
        break;
      case '--per-poll':
        opts.progress = 'per-poll';
        break;
      case '--step-ms':
        opts.stepMs = numberArg(arg, next());
        break;
      case '--pages':
        opts.pages = numberArg(arg, next());
        break;
      case '--token': {
        const t = next();
        if (!t) throw new Error(`--token needs a value\n${USAGE}`);
        tokens.push(t);
        break;
      }
      case '--host': {
        const h = next();
        if (!h) throw new Error(`--host needs a value\n${USAGE}`);
        opts.host = h;
        break;
      }
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${String(arg)}\n${USAGE}`);
    }
  }
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

function seconds(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0) {
    throw new Error(`${flag} needs a number of seconds\n${SELF_HOSTED_USAGE}`);
  }
  return n;
}

/** Arguments after `--self-hosted` (the flag itself may appear anywhere). */
export function parseSelfHostedArgs(argv: readonly string[]): SelfHostedArgs {
  const opts: FakeSelfHostedOptions = {};
  let json = false;
  const value = (flag: string, v: string | undefined): string => {
    if (!v) throw new Error(`${flag} needs a value\n${SELF_HOSTED_USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (arg) {
      case '--self-hosted':
        break;
      case '--port':
        opts.port = numberArg(arg, next());
        break;
      case '--host':
        opts.host = value(arg, next());
        break;
      case '--version':
        opts.version = value(arg, next());
        break;
      case '--router': {
        const n = argv[i + 1];
        if (n !== undefined && /^\d+$/.test(n)) {
          opts.router = { workers: Number(n) };
          i++;
        } else opts.router = true;
        break;
      }
      case '--max-concurrent':
        opts.maxConcurrent = numberArg(arg, next());
        break;
      case '--retention':
        opts.retentionSeconds = seconds(arg, next());
        break;
      case '--cleanup-interval':
        opts.cleanupIntervalSeconds = seconds(arg, next());
        break;
      case '--timed':
        opts.progress = 'timed';
        break;
      case '--per-poll':
        opts.progress = 'per-poll';
        break;
      case '--step-ms':
        opts.stepMs = numberArg(arg, next());
        break;
      case '--pages':
        opts.pages = numberArg(arg, next());
        break;
      case '--bearer':
        opts.auth = { ...opts.auth, bearer: [...(opts.auth?.bearer ?? []), value(arg, next())] };
        break;
      case '--basic': {
        const v = value(arg, next());
        const at = v.indexOf(':');
        if (at < 0) throw new Error(`--basic needs USER:PASSWORD\n${SELF_HOSTED_USAGE}`);
        const cred = { user: v.slice(0, at), password: v.slice(at + 1) };
        opts.auth = { ...opts.auth, basic: [...(opts.auth?.basic ?? []), cred] };
        break;
      }
      case '--json':
        json = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(`${SELF_HOSTED_USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${String(arg)}\n${SELF_HOSTED_USAGE}`);
    }
  }
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
