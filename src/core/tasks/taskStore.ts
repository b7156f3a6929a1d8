import type { KeyValueStore } from '../util/keyValueStore';
import type { TaskRecord } from './task';

const STORAGE_KEY = 'mineru.tasks.v1';
const SAVE_DELAY_MS = 100;

export type TaskListener = (event: TaskStoreEvent) => void;
export interface TaskStoreEvent {
  /** Records added or changed (new objects; never mutate them). */
  changed: TaskRecord[];
  /** Ids removed. */
  removed: string[];
}

/**
 * All tracked tasks, in creation order, persisted through a key-value store so that a window
 * reload loses nothing. Records are immutable snapshots: `update` replaces them.
 */
export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly listeners = new Set<TaskListener>();
  private pending: { changed: Map<string, TaskRecord>; removed: Set<string> } | undefined;
  private saving: Promise<void> = Promise.resolve();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private nextSave: Promise<void> | undefined;
  private resolveNextSave: (() => void) | undefined;

  constructor(private readonly storage: KeyValueStore) {
    const saved = storage.get<unknown>(STORAGE_KEY);
    if (Array.isArray(saved)) {
      for (const item of saved) {
        if (isTaskRecord(item)) this.tasks.set(item.id, item);
      }
    }
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  get(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  get size(): number {
    return this.tasks.size;
  }

  onDidChange(listener: TaskListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  add(records: TaskRecord[]): Promise<void> {
    return this.transaction(() => {
      for (const r of records) this.put(r);
    });
  }

  /** Applies `change` to the record if it still exists; returns the new record. */
  update(
    id: string,
    change: Partial<TaskRecord> | ((task: TaskRecord) => Partial<TaskRecord>),
    now = Date.now(),
  ): TaskRecord | undefined {
    const current = this.tasks.get(id);
    if (!current) return undefined;
    const patch = typeof change === 'function' ? change(current) : change;
    const next = withoutUndefined({ ...current, ...patch, updatedAt: now });
    // Inside a transaction (a poll round's 200 updates) the record joins it directly: no promise each.
    if (this.pending) this.put(next);
    else void this.transaction(() => this.put(next));
    return next;
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.transaction(() => {
      for (const id of ids) {
        if (this.tasks.delete(id)) {
          this.pending!.removed.add(id);
          this.pending!.changed.delete(id);
        }
      }
    });
  }

  /**
   * Groups the changes made inside `body` into one event and one write. Nested calls join the
   * outer transaction, so a poll round over 200 items fires once and saves once.
   */
  async transaction(body: () => void): Promise<void> {
    if (this.pending) {
      body();
      return this.nextSave ?? this.saving;
    }
    this.pending = { changed: new Map(), removed: new Set() };
    try {
      body();
    } finally {
      const { changed, removed } = this.pending;
      this.pending = undefined;
      if (changed.size > 0 || removed.size > 0) {
        const event: TaskStoreEvent = { changed: [...changed.values()], removed: [...removed] };
        this.scheduleSave();
        for (const listener of this.listeners) listener(event);
      }
    }
    return this.nextSave ?? this.saving;
  }

  /** Writes now whatever is waiting, and resolves once every write has reached storage. */
  flush(): Promise<void> {
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.writeNow();
    }
    return this.saving;
  }

  /**
   * Writes are coalesced: every change within SAVE_DELAY_MS reaches storage in one write of the
   * whole list. A poll round over 20 batches of 1,000 tasks is then one write, not twenty.
   */
  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return;
    this.nextSave = new Promise<void>((resolve) => (this.resolveNextSave = resolve));
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.writeNow();
    }, SAVE_DELAY_MS);
  }

  private writeNow(): void {
    const snapshot = this.all();
    const resolve = this.resolveNextSave;
    this.nextSave = undefined;
    this.resolveNextSave = undefined;
    // Issued synchronously, so the storage sees writes in order and reads right after see them.
    const write = Promise.resolve(this.storage.update(STORAGE_KEY, snapshot)).catch(() => undefined);
    this.saving = Promise.all([this.saving, write]).then(() => undefined);
    void this.saving.then(resolve);
  }

  private put(record: TaskRecord): void {
    this.tasks.set(record.id, record);
    this.pending!.changed.set(record.id, record);
  }
}

/**
 * The record without its undefined fields (a patch clears a field with undefined), copied into a
 * fresh object rather than `delete`d: deleting turns an object into a slow dictionary for V8, and
 * every record of a round is read again by the tree and serialised by the store's write.
 */
function withoutUndefined(record: TaskRecord): TaskRecord {
  let clean = true;
  for (const key in record) {
    if (record[key as keyof TaskRecord] === undefined) {
      clean = false;
      break;
    }
  }
  if (clean) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as unknown as TaskRecord;
}

function isTaskRecord(value: unknown): value is TaskRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.state === 'string' &&
    typeof v.outputDir === 'string' &&
    typeof v.source === 'object' &&
    v.source !== null
  );
}
