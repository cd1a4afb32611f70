// Go's text/template and docker's --format layer, for berth's CLI: parse a template once, execute it on rows.

export { TemplateError } from './errors.js';
export { type FuncMap, type Template, parseTemplate } from './template.js';
export {
  finalFormat,
  isJsonFormat,
  isTableFormat,
  JSON_FORMAT_KEY,
  renderFormat,
  renderRows,
  renderTable,
  TABLE_FORMAT_KEY,
} from './format.js';
export { alignTable, TabWriter } from './tabwriter.js';
