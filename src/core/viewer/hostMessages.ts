/**
 * What the extension sends the viewer's webview (data only). The webview's page starts with the
 * PDF's address in its HTML and loads it at once; the blocks come in `init` (those of the pages
 * first shown) and `blocks` (the rest), so the first page's boxes need not wait for all of them.
 */
import type { ViewerState } from './messages';
import type { Marks } from './timing';
import type { ViewerBlock, ViewerModel } from './viewerModel';

/** What the page reads from its body (`data-boot`, JSON) before any message arrives. */
export interface ViewerBoot {
  pdf: string;
  worker: string;
  cMaps: string;
  standardFonts: string;
  state: ViewerState;
  strings: Record<string, string>;
}

export type HostMessage =
  | { type: 'init'; model: ViewerModel; state: ViewerState; marks: Marks; more: boolean }
  | { type: 'blocks'; blocks: ViewerBlock[]; marks: Marks }
  | { type: 'highlight'; indices: number[]; scroll: boolean }
  | { type: 'matched'; matched: number[] };
