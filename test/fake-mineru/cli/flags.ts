/**
 * A small table-driven command-line parser for the fake's CLI: each flag names how its value is
 * read (none, a string, a non-negative integer, seconds, or an optional integer) and what it sets.
 * Unknown flags and missing values fail with the usage line; `-h`/`--help` prints it and exits.
 */
export type FlagValue =
  | { kind: 'none'; apply: () => void }
  | { kind: 'string'; apply: (v: string) => void }
  | { kind: 'integer'; apply: (n: number) => void }
  | { kind: 'seconds'; apply: (n: number) => void }
  /** A flag that may be followed by an integer (`--router` or `--router 3`). */
  | { kind: 'optionalInteger'; apply: (n: number | undefined) => void };

export type FlagTable = Readonly<Record<string, FlagValue>>;

function readNumber(flag: string, value: string | undefined, usage: string, integer: boolean): number {
  const n = Number(value);
  const ok =
    value !== undefined && value !== '' && n >= 0 && (integer ? Number.isInteger(n) : Number.isFinite(n));
  if (!ok)
    throw new Error(`${flag} needs ${integer ? 'a non-negative integer' : 'a number of seconds'}\n${usage}`);
  return n;
}

export function parseFlags(argv: readonly string[], table: FlagTable, usage: string): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const flag = Object.prototype.hasOwnProperty.call(table, arg) ? table[arg] : undefined;
    if (!flag) throw new Error(`unknown argument ${arg}\n${usage}`);
    switch (flag.kind) {
      case 'none':
        flag.apply();
        break;
      case 'string': {
        const v = argv[++i];
        if (!v) throw new Error(`${arg} needs a value\n${usage}`);
        flag.apply(v);
        break;
      }
      case 'integer':
        flag.apply(readNumber(arg, argv[++i], usage, true));
        break;
      case 'seconds':
        flag.apply(readNumber(arg, argv[++i], usage, false));
        break;
      case 'optionalInteger': {
        const v = argv[i + 1];
        if (v !== undefined && /^\d+$/.test(v)) {
          flag.apply(Number(v));
          i++;
        } else flag.apply(undefined);
        break;
      }
    }
  }
}
