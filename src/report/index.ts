export { FileSink } from './sink.js';
export type { SinkMode } from './sink.js';
export { ReportWriter, REPORT_COLUMNS } from './report.js';
export type { ReportLine, RowStatus } from './report.js';
export { RejectsWriter, REJECT_COLUMNS } from './rejects.js';
export { Stats } from './summary.js';
export type { Summary } from './summary.js';
export { csvLine } from './csv-text.js';
export { ReportLock } from './lock.js';
