/** A method that can be forwarded before its object exists: it already answers with a promise. */
type AsyncMethod = (...args: never[]) => Promise<unknown>;

/** An object built on first use (typically from a module loaded with `import()`), and its stand-in. */
export interface Lazy<T, K extends keyof T> {
  /** Calls the named methods of the object, building it first if need be. */
  readonly forward: Pick<T, K>;
  /** The object: built on the first call, the same promise until reset(). */
  readonly current: () => Promise<T>;
  /** Forgets the object, so the next call builds a new one (calls under way keep the old one). */
  readonly reset: () => void;
}

/**
 * Stands in for an object that is expensive to load: nothing is built until a forwarded method
 * (or current()) is first called, and each call then goes to the object of the moment. `around`
 * sees the promise of every forwarded call, from loading to the method's answer.
 */
export function lazy<T extends Record<K, AsyncMethod>, K extends keyof T>(
  build: () => Promise<T>,
  methods: readonly K[],
  around: <R>(work: Promise<R>) => Promise<R> = (work) => work,
): Lazy<T, K> {
  let built: Promise<T> | undefined;
  const current = (): Promise<T> => (built ??= build());
  const forward: Partial<Pick<T, K>> = {};
  for (const name of methods) {
    const call = async (...args: unknown[]): Promise<unknown> => {
      const target = await current();
      const method: unknown = target[name];
      return (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
    const forwarded: unknown = (...args: unknown[]) => around(call(...args));
    forward[name] = forwarded as T[K];
  }
  return {
    forward: forward as Pick<T, K>,
    current,
    reset: () => {
      built = undefined;
    },
  };
}
