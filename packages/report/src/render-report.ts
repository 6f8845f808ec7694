import { ReportError } from './errors';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import type { ReportDocument } from './report-types';

/** The formats a report is written in. */
export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The report in one format: the HTML page, the Markdown, or the document itself as JSON. */
export function renderReport(doc: ReportDocument, format: ReportFormat): string {
  if (format === 'html') return renderHtml(doc);
  if (format === 'md') return renderMarkdown(doc);
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  throw new ReportError('REPORT_INVALID_INPUT', `report format: expected one of ${REPORT_FORMATS.join(', ')}, got "${String(format)}"`);
}

/**
 * The format a file name asks for: `.md`/`.markdown` is Markdown, `.json` JSON, anything else HTML. An
 * explicit format wins.
 */
export function reportFormatOf(path: string, explicit?: string): ReportFormat {
  if (explicit !== undefined) {
    if (!(REPORT_FORMATS as readonly string[]).includes(explicit)) {
      throw new ReportError('REPORT_INVALID_INPUT', `--format: expected one of ${REPORT_FORMATS.join(', ')}, got "${explicit}"`);
    }
    return explicit as ReportFormat;
  }
  if (/\.(md|markdown)$/i.test(path)) return 'md';
  if (/\.json$/i.test(path)) return 'json';
  return 'html';
}
