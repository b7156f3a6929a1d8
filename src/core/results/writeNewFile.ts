import * as fs from 'node:fs';

function open(target: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(target, 'wx', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function write(fd: number, data: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.write(fd, data, offset, data.length - offset, null, (e, n) => (e ? reject(e) : resolve(n))),
  );
}

function close(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (e) => (e ? reject(e) : resolve())));
}

/**
 * Writes `data` into a new file at `target`: never over an existing one (`wx`, so EEXIST when
 * something is there, and then nothing is touched). When the write or close fails after the file
 * was created, the partial file is removed before the error is passed on.
 *
 * The callback API, not fs/promises: no FileHandle object (and its close tracking) per file, and
 * no stream, which is most of what a small file cost (BENCHMARKS.md, issue 17 part 5).
 */
export async function writeNewFile(target: string, data: Buffer): Promise<void> {
  const fd = await open(target);
  try {
    for (let offset = 0; offset < data.length;) offset += await write(fd, data, offset);
  } catch (error) {
    await close(fd).catch(() => undefined);
    await fs.promises.rm(target, { force: true }).catch(() => undefined);
    throw error;
  }
  try {
    await close(fd);
  } catch (error) {
    await fs.promises.rm(target, { force: true }).catch(() => undefined);
    throw error;
  }
}
