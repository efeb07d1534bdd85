/**
 * Line-protocol rules shared by the client (`influx/`) and the embedded server (`server/`):
 * where lines and their elements end, and how escapes read. Imports nothing above it.
 */
export { LineScanner, findLineEnd, forEachLine, readsAsOneLine, splitLines } from './scanner';
export { LineSplitter } from './splitter';
export {
  FIELD_KEY_ESCAPES,
  MEASUREMENT_ESCAPES,
  TAG_ESCAPES,
  fieldKeyEnd,
  keyElementEnd,
  unescapeElement,
} from './elements';
