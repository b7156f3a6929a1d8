import * as vscode from 'vscode';

/**
 * One value kept in VS Code's SecretStorage under its own key, cached after the first read. A
 * change made in another window arrives through `secrets.onDidChange`: the cache is dropped, the
 * value read again, and `onDidChange` fires. `encode`/`decode` turn the value into the stored
 * string; a stored string `decode` does not accept reads as no value. `onValue`, when given, is
 * awaited after every read from storage, set and clear (the token sets a context key with it).
 */
export class SecretSlot<T> implements vscode.Disposable {
  private cached: T | undefined;
  private loaded = false;
  private readonly emitter = new vscode.EventEmitter<T | undefined>();
  /** Fires with the new value after a set, a clear, or a change in another window. */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly key: string,
    private readonly encode: (value: T) => string,
    private readonly decode: (raw: string) => T | undefined,
    private readonly onValue: (value: T | undefined) => Thenable<unknown> = () => Promise.resolve(),
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== key) return;
      this.loaded = false;
      void this.get().then((v) => this.emitter.fire(v));
    });
  }

  async get(): Promise<T | undefined> {
    if (!this.loaded) {
      const raw = await this.secrets.get(this.key);
      this.cached = raw ? this.decode(raw) : undefined;
      this.loaded = true;
      await this.onValue(this.cached);
    }
    return this.cached;
  }

  /** The last value read, without waiting; for redaction in synchronous log calls. */
  peek(): T | undefined {
    return this.cached;
  }

  async set(value: T): Promise<void> {
    await this.secrets.store(this.key, this.encode(value));
    this.cached = value;
    this.loaded = true;
    await this.onValue(value);
    this.emitter.fire(value);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(this.key);
    this.cached = undefined;
    this.loaded = true;
    await this.onValue(undefined);
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
