/**
 * CLI entry of the fake MinerU service (used by `npm run fake-server` and the `npm start` sandbox):
 *
 *   node out/test/fake-mineru/main.js [--port N] [--cdn-port N] [--any-token] [--timed|--per-poll]
 *                                     [--step-ms N] [--pages N] [--token T] [--host H] [--json]
 *
 * Prints the API base URL, the agent base URL, the CDN origin and the valid token (with --json: one
 * JSON line {apiOrigin, apiBaseUrl, agentBaseUrl, cdnOrigin, token}), then serves until
 * SIGINT/SIGTERM.
 */
import type { FakeMinerUOptions } from './server';
import { startFakeMinerU } from './server';

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

async function main(): Promise<void> {
  const { options, json } = parseArgs(process.argv.slice(2));
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
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`fake MinerU: ${signal}, shutting down\n`);
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
