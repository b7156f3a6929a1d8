import type { Clock, TimerHandle } from '../util/clock';

/** What a stat of a watched file says; undefined when it is gone. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export interface StabilityOptions {
  clock: Clock;
  stat: (path: string) => Promise<FileStamp | undefined>;
  /** Quiet time after the last event before the first look. */
  debounceMs: number;
  /** Time between two looks; a file is stable when two looks in a row see the same size and time. */
  checkMs: number;
  /** Called once per burst of changes, when the file has stopped changing. */
  onStable: (path: string, stamp: FileStamp) => void;
}

/**
 * Decides when a watched file is complete: every change event restarts a debounce; then the file
 * is looked at every `checkMs` until two looks in a row see the same non-zero size and modification
 * time. A file still being written (growing, or touched again) is never reported; an empty or
 * deleted file is dropped until its next event.
 */
export class StabilityTracker {
  private readonly files = new Map<string, { timer: TimerHandle; last?: FileStamp; generation: number }>();
  private generation = 0;

  constructor(private readonly options: StabilityOptions) {}

  /** A create or change event for `path`. */
  touch(path: string): void {
    const previous = this.files.get(path);
    if (previous) this.options.clock.clearTimeout(previous.timer);
    const generation = ++this.generation;
    const timer = this.options.clock.setTimeout(
      () => void this.look(path, generation),
      this.options.debounceMs,
    );
    this.files.set(path, { timer, generation });
  }

  /** Paths waiting to become stable. */
  get pending(): string[] {
    return [...this.files.keys()];
  }

  dispose(): void {
    for (const entry of this.files.values()) this.options.clock.clearTimeout(entry.timer);
    this.files.clear();
  }

  private async look(path: string, generation: number): Promise<void> {
    let stamp: FileStamp | undefined;
    try {
      stamp = await this.options.stat(path);
    } catch {
      stamp = undefined;
    }
    const entry = this.files.get(path);
    // A newer event (or dispose) came while the stat ran: that one decides.
    if (!entry || entry.generation !== generation) return;
    if (!stamp) {
      this.files.delete(path);
      return;
    }
    const last = entry.last;
    if (last && stamp.size > 0 && stamp.size === last.size && stamp.mtimeMs === last.mtimeMs) {
      this.files.delete(path);
      this.options.onStable(path, stamp);
      return;
    }
    entry.last = stamp;
    entry.timer = this.options.clock.setTimeout(() => void this.look(path, generation), this.options.checkMs);
  }
}
