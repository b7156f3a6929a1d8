/**
 * Where a document too large for the service is cut: on page boundaries only, the pages shared
 * evenly, every part under both limits with a margin. Pure: the worker measures each part it
 * writes and plans an over-size part again (src/core/split/splitPdf.ts).
 */

/** The service's limits for one document. */
export interface SplitLimits {
  maxPages: number;
  maxBytes: number;
  /** The share of each limit a part may use, in (0, 1]; 0.9 when absent. */
  margin?: number;
}

/** Pages of the original document, 1-based and inclusive. */
export interface PageRange {
  firstPage: number;
  lastPage: number;
}

export const DEFAULT_SPLIT_MARGIN = 0.9;

/** The most pages and bytes one part may hold: each limit times the margin (at least one page). */
export function partLimits(limits: SplitLimits): { pages: number; bytes: number } {
  const margin = limits.margin ?? DEFAULT_SPLIT_MARGIN;
  if (!(margin > 0 && margin <= 1)) throw new RangeError(`The split margin must be in (0, 1], not ${margin}`);
  if (!(limits.maxPages >= 1))
    throw new RangeError(`The page limit must be at least 1, not ${limits.maxPages}`);
  if (!(limits.maxBytes > 0)) throw new RangeError(`The size limit must be positive, not ${limits.maxBytes}`);
  return {
    pages: Math.max(1, Math.floor(limits.maxPages * margin)),
    bytes: Math.max(1, Math.floor(limits.maxBytes * margin)),
  };
}

/**
 * The parts of a document of `totalPages` pages and `totalBytes` bytes. The bytes are taken as
 * spread evenly over the pages, so a part of n pages is expected to weigh n × totalBytes / totalPages;
 * the fewest parts that keep both the pages and that estimate under the limits, with the pages
 * shared evenly (part sizes differ by at most one page, the larger ones first).
 * 1300 pages, limit 600 (540 with the margin) → 1–434, 435–867, 868–1300.
 */
export function planSplit(totalPages: number, totalBytes: number, limits: SplitLimits): PageRange[] {
  if (!Number.isInteger(totalPages) || totalPages < 1)
    throw new RangeError(`A document to split needs at least one page, not ${totalPages}`);
  if (!(totalBytes >= 0)) throw new RangeError(`A document's size cannot be ${totalBytes}`);
  const { pages, bytes } = partLimits(limits);
  // The most pages whose estimated weight stays under the byte limit (at least one: a single page
  // over the limit is found when it is written).
  const pagesByBytes = totalBytes > 0 ? Math.floor((bytes * totalPages) / totalBytes) : totalPages;
  const perPart = Math.max(1, Math.min(pages, pagesByBytes));
  return sharePages(1, totalPages, Math.ceil(totalPages / perPart));
}

/** Pages firstPage…lastPage in `count` runs whose lengths differ by at most one, the longer first. */
export function sharePages(firstPage: number, lastPage: number, count: number): PageRange[] {
  const total = lastPage - firstPage + 1;
  const parts = Math.min(total, Math.max(1, count));
  const base = Math.floor(total / parts);
  const longer = total % parts;
  const ranges: PageRange[] = [];
  let next = firstPage;
  for (let k = 0; k < parts; k++) {
    const length = base + (k < longer ? 1 : 0);
    ranges.push({ firstPage: next, lastPage: next + length - 1 });
    next += length;
  }
  return ranges;
}
