import * as pkg from '@autotune/report';

describe('@autotune/report entry', () => {
  it('exposes its public names, and only those', () => {
    expect(Object.keys(pkg).sort()).toEqual([
      'REPORT_FORMATS', 'REPORT_SCHEMA_VERSION', 'ReportError', 'buildReport', 'diffConfigs', 'flattenConfig', 'isReportError', 'renderHtml',
      'renderMarkdown', 'renderReport', 'reportFormatOf', 'sparkline', 'summarizeChanges',
    ]);
  });
});
