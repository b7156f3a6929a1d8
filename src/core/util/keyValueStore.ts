/**
 * Persistent key-value storage. VS Code's `Memento` (workspaceState) satisfies it; unit tests use
 * {@link MemoryKeyValueStore}. Values must be JSON-serialisable.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();

  get<T>(key: string): T | undefined {
    const raw = this.values.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    // Round-trip through JSON, as VS Code does, so tests catch values that do not serialise.
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.stringify(value));
    return Promise.resolve();
  }

  /** Raw serialised contents, for tests that assert what reached storage (e.g. no token). */
  dump(): string {
    return JSON.stringify([...this.values.entries()]);
  }
}
