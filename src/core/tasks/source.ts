import type { TaskSource } from './task';

/**
 * What a submission needs to know about one input, by kind. The task record keeps only what
 * survives a restart (`TaskSource`); a Source adds what the request sends, such as the upload name.
 */
export type Source = UrlSource | FileSource;

/** A public http(s) URL the service fetches itself. */
export interface UrlSource {
  readonly kind: 'url';
  readonly url: string;
}

/** A local file (picked, found in the workspace, or a downloaded copy of a URL) that is uploaded. */
export interface FileSource {
  readonly kind: 'file';
  readonly path: string;
  readonly size: number;
  /** The name sent to the service; it must carry the real extension. */
  readonly uploadName: string;
}

export function remoteUrl(url: string): UrlSource {
  return { kind: 'url', url };
}

/** A local file; its upload name defaults to the base name. */
export function localFile(path: string, size: number, uploadName?: string): FileSource {
  return { kind: 'file', path, size, uploadName: uploadName ?? basename(path) };
}

/** A URL downloaded to a local copy first: uploaded under the name the download gave it. */
export function downloadedUrl(copyPath: string, size: number, name: string): FileSource {
  return localFile(copyPath, size, name);
}

/** The source of a persisted task (retry, resubmission, restart): files go under their base name. */
export function sourceOfTask(source: TaskSource): Source {
  return source.kind === 'url' ? remoteUrl(source.url) : localFile(source.path, source.size);
}

/** What the task record keeps of a source. */
export function taskSourceOf(source: Source): TaskSource {
  return source.kind === 'url'
    ? { kind: 'url', url: source.url }
    : { kind: 'file', path: source.path, size: source.size };
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
