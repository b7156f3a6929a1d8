/**
 * From a block's box to a rectangle in CSS pixels over the rendered page.
 *
 * MinerU's boxes (0–1000 in content_list, points in layout.json) are on the page as displayed: it
 * renders pages with their /Rotate applied, origin top-left. The viewer draws the page at `scale`
 * CSS pixels per point, turned by `rotation` degrees clockwise from that displayed orientation
 * (pdf.js: `viewRotation - page.rotate`, see `extraRotation`).
 */
import type { Bbox } from './contentList';

export type Rotation = 0 | 90 | 180 | 270;

export interface PageSize {
  /** Width and height in points of the page as MinerU saw it (rotation applied). */
  width: number;
  height: number;
}

export interface Viewport {
  /** CSS pixels per PDF point. */
  scale: number;
  /** Clockwise turn of the drawing relative to the displayed page. */
  rotation: Rotation;
}

export interface CssRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** `normalized`: 0–1000 of the page width/height (content_list); `points`: PDF points (layout.json). */
export type BoxUnit = 'normalized' | 'points';

export const NORMALIZED_GRID = 1000;

/** Any angle in degrees, as a quarter turn in 0…270 (e.g. -90 → 270, 450 → 90); others → undefined. */
export function toRotation(degrees: number): Rotation | undefined {
  if (!Number.isFinite(degrees) || degrees % 90 !== 0) return undefined;
  return (((degrees % 360) + 360) % 360) as Rotation;
}

/**
 * The turn to apply to MinerU's boxes for a pdf.js viewport: the viewport is turned by
 * `viewRotation` from the unrotated page, MinerU's boxes by the page's own `/Rotate`.
 */
export function extraRotation(pageRotate: number, viewRotation: number): Rotation {
  return toRotation(viewRotation - pageRotate) ?? 0;
}

/** The size in CSS pixels of the page drawn with `viewport`. */
export function viewportSize(page: PageSize, viewport: Viewport): { width: number; height: number } {
  const quarter = viewport.rotation === 90 || viewport.rotation === 270;
  const w = (quarter ? page.height : page.width) * viewport.scale;
  const h = (quarter ? page.width : page.height) * viewport.scale;
  return { width: w, height: h };
}

/** A point (in points, displayed page, origin top-left) turned clockwise on a page of size W×H. */
function turn(x: number, y: number, page: PageSize, rotation: Rotation): [number, number] {
  switch (rotation) {
    case 90:
      return [page.height - y, x];
    case 180:
      return [page.width - x, page.height - y];
    case 270:
      return [y, page.width - x];
    default:
      return [x, y];
  }
}

/**
 * The CSS rectangle of `bbox` over the page drawn with `viewport`. Boxes beyond the page are
 * clamped to it (MinerU's integer rounding can overshoot by a unit).
 */
export function bboxToCss(bbox: Bbox, unit: BoxUnit, page: PageSize, viewport: Viewport): CssRect {
  const sx = unit === 'normalized' ? page.width / NORMALIZED_GRID : 1;
  const sy = unit === 'normalized' ? page.height / NORMALIZED_GRID : 1;
  const clampX = (v: number): number => Math.min(Math.max(v * sx, 0), page.width);
  const clampY = (v: number): number => Math.min(Math.max(v * sy, 0), page.height);
  const x0 = clampX(bbox[0]);
  const y0 = clampY(bbox[1]);
  const x1 = clampX(bbox[2]);
  const y1 = clampY(bbox[3]);
  const [ax, ay] = turn(x0, y0, page, viewport.rotation);
  const [bx, by] = turn(x1, y1, page, viewport.rotation);
  const s = viewport.scale;
  return {
    left: Math.min(ax, bx) * s,
    top: Math.min(ay, by) * s,
    width: Math.abs(bx - ax) * s,
    height: Math.abs(by - ay) * s,
  };
}

/** The inverse for a click: a CSS point over the drawn page → 0–1000 normalised page coordinates. */
export function cssToNormalized(
  x: number,
  y: number,
  page: PageSize,
  viewport: Viewport,
): { x: number; y: number } {
  const px = x / viewport.scale;
  const py = y / viewport.scale;
  let ux: number;
  let uy: number;
  switch (viewport.rotation) {
    case 90:
      [ux, uy] = [py, page.height - px];
      break;
    case 180:
      [ux, uy] = [page.width - px, page.height - py];
      break;
    case 270:
      [ux, uy] = [page.width - py, px];
      break;
    default:
      [ux, uy] = [px, py];
  }
  return { x: (ux / page.width) * NORMALIZED_GRID, y: (uy / page.height) * NORMALIZED_GRID };
}
