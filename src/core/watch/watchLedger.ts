import type { KeyValueStore } from '../util/keyValueStore';

/** The workspaceState key of the ledger. */
export const WATCH_LEDGER_KEY = 'mineru.watch.sent';
/** Entries kept; the oldest go first. */
export const WATCH_LEDGER_LIMIT = 2000;

/**
 * What watched folders already sent, by content hash and options, kept in the workspace's state so
 * that a file copied in again, renamed, or seen again after a reload is not sent twice. A minimal
 * ledger for the watcher only (no result paths): the shared result index of issue 16 was not in
 * the tree when this was written.
 */
export class WatchLedger {
  constructor(private readonly state: KeyValueStore) {}

  has(key: string): boolean {
    return this.entries().includes(key);
  }

  async add(key: string): Promise<void> {
    const entries = this.entries().filter((k) => k !== key);
    entries.push(key);
    await this.state.update(WATCH_LEDGER_KEY, entries.slice(-WATCH_LEDGER_LIMIT));
  }

  async remove(key: string): Promise<void> {
    await this.state.update(
      WATCH_LEDGER_KEY,
      this.entries().filter((k) => k !== key),
    );
  }

  private entries(): string[] {
    const value = this.state.get<unknown>(WATCH_LEDGER_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }
}

/**
 * The ledger key of one file: its SHA-256 and the options it would be parsed with (mode and wire
 * options, keys sorted so that the order of settings does not matter).
 */
export function ledgerKey(sha256: string, mode: string, options: object): string {
  return `${sha256}|${mode}|${stableJson(options)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
