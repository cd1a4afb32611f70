// The one error kind of the template engine: a parse or execution error, with Go's message text.

import { InvalidParameter } from '../../errdefs/index.js';

/** A template failed to parse or to execute; `message` is what Go's text/template would say. */
export class TemplateError extends InvalidParameter {
  override name = 'TemplateError';
  /** Output written before an execution error (Go leaves it in the writer; docker's table header keeps it). */
  partial = '';
}
