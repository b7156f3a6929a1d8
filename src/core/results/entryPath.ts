import * as path from 'node:path';

export type EntryPathCheck = { ok: true; relative: string; absolute: string } | { ok: false; reason: string };

const WINDOWS_RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(?: *\.|$| +$)/i;
const WINDOWS_INVALID = /[<>:"|?*]/;

/**
 * Decides whether a zip entry name may be written under `targetDir`, treating it as hostile.
 * Rejects NUL and control characters, backslashes, absolute paths, drive letters and any colon
 * (also NTFS streams), empty, "." and ".." segments, names Windows can't hold (reserved device
 * names, trailing dot/space, `<>:"|?*`), over-long segments, and anything that would resolve
 * outside `targetDir`. A trailing "/" (directory entry) is allowed.
 */
export function checkEntryPath(entryName: string, targetDir: string): EntryPathCheck {
  if (typeof entryName !== 'string' || entryName === '') return { ok: false, reason: 'empty name' };
  if (entryName.length > 4096) return { ok: false, reason: 'name too long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(entryName))
    return { ok: false, reason: 'control character (e.g. NUL) in name' };
  if (entryName.includes('\\')) return { ok: false, reason: 'backslash in name' };
  if (entryName.startsWith('/')) return { ok: false, reason: 'absolute path' };
  if (/^[a-z]:/i.test(entryName)) return { ok: false, reason: 'drive letter' };
  if (entryName.includes(':')) return { ok: false, reason: 'colon in name' };
  const trimmed = entryName.endsWith('/') ? entryName.slice(0, -1) : entryName;
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '..') return { ok: false, reason: "'..' segment (path traversal)" };
    if (segment === '' || segment === '.') return { ok: false, reason: 'empty or "." segment' };
    if (WINDOWS_INVALID.test(segment)) return { ok: false, reason: 'character not allowed on Windows' };
    if (/[. ]$/.test(segment)) return { ok: false, reason: 'segment ends with a dot or space' };
    if (WINDOWS_RESERVED.test(segment)) return { ok: false, reason: 'reserved Windows device name' };
    if (Buffer.byteLength(segment, 'utf8') > 255)
      return { ok: false, reason: 'segment longer than 255 bytes' };
  }
  const root = path.resolve(targetDir);
  const absolute = path.resolve(root, ...segments);
  const rel = path.relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return { ok: false, reason: 'resolves outside the result folder' };
  }
  return { ok: true, relative: segments.join('/'), absolute };
}
