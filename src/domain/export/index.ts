/** A small CSV/XLSX writer for staff exports, with formula cells neutralised; any feature may use it. */
export { exportFile, neutraliseCell, toCsv, toXlsx, EXPORT_FORMATS, type ExportCell, type ExportFormat, type ExportSheet } from './sheet.js';
