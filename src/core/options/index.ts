/**
 * Options: the one place where parse options are checked, for the UI (before anything is
 * submitted) and for the API client (before a request leaves). Import from here.
 */
export {
  MAX_PAGE_NUMBER,
  parseAgentPageRange,
  parsePageRanges,
  type PageRange,
  type PageRangesResult,
} from './pageRanges';
export { checkDataIdTemplate, DATA_ID_MAX, renderDataId, sanitizeDataId, type DataIdVars } from './dataId';
export { checkSubmitOptions, SEED_PATTERN } from './submitChecks';
