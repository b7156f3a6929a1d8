/**
 * Which globs of `mineru.watch.folders` are usable and which files under them may be sent. A
 * workspace's settings may name these globs (each is confirmed by the user before anything is
 * sent), so a glob may only look inside its workspace folder, and the results folder, hidden
 * folders and node_modules are never watched whatever the glob says.
 */
export type WatchGlobCheck =
  { ok: true; glob: string } | { ok: false; problem: 'empty' | 'absolute' | 'parent'; glob: string };

/** Checks one workspace-relative glob such as `papers/inbox/**\/*.pdf` (backslashes become `/`). */
export function checkWatchGlob(raw: string): WatchGlobCheck {
  const glob = String(raw).trim().replace(/\\/g, '/');
  if (glob === '') return { ok: false, problem: 'empty', glob };
  if (glob.startsWith('/') || /^[a-z]:/i.test(glob) || glob.startsWith('~'))
    return { ok: false, problem: 'absolute', glob };
  if (glob.split('/').some((part) => part === '..')) return { ok: false, problem: 'parent', glob };
  return { ok: true, glob: glob.replace(/^(\.\/)+/, '') };
}

/**
 * Whether a file that matched a watched glob may be sent: `relPath` is relative to its workspace
 * folder (either separator), `outputDirectory` the setting mineru.outputDirectory (relative).
 * False for anything in the results folder, in a hidden folder or node_modules, for hidden files
 * and for the lock and partial files of editors and browsers.
 */
export function isWatchable(relPath: string, outputDirectory: string): boolean {
  const parts = relPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return false;
  const name = parts[parts.length - 1]!;
  if (parts.some((p) => p.startsWith('.') || p === 'node_modules')) return false;
  if (name.startsWith('~$') || /\.(?:crdownload|part|partial|download|tmp)$/i.test(name)) return false;
  const out = outputDirectory
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (out.length > 0 && out.every((p, i) => parts[i] === p) && parts.length > out.length) return false;
  return true;
}

/**
 * The folder a checked glob can only match under: its leading segments without a wildcard
 * (`papers/inbox/**\/*.pdf` → `papers/inbox`; `**\/*.pdf` → ``, the workspace folder itself).
 */
export function globBase(glob: string): string {
  const parts = glob.split('/');
  const firstWild = parts.findIndex((p) => /[*?[\]{}]/.test(p));
  return (firstWild < 0 ? parts.slice(0, -1) : parts.slice(0, firstWild)).join('/');
}

/** The paths not inside another of them (a folder's search covers what is inside it), sorted. */
export function outermostPaths(paths: readonly string[], sep: string): string[] {
  const kept: string[] = [];
  for (const p of [...new Set(paths)].sort()) {
    const last = kept[kept.length - 1];
    if (last === undefined || !p.startsWith(last + sep)) kept.push(p);
  }
  return kept;
}
