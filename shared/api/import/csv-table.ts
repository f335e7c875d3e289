/**
 * Reading a CSV import file as a table, for every column set the import
 * route knows (appointments with their patients, care reminders): the file
 * parsed (a byte-order mark allowed, any line ending), refused whole when it
 * is unreadable, empty, over the row limit or has a header that is not the
 * column set's, and each record's cells keyed by column with the line it
 * starts on. What the cells mean is each column set's own reader.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { type FieldIssue, PayloadTooLargeError, ValidationError } from '../../domain/errors';
import type { ImportLimits } from './rows';

/** A column set: its columns (required or not), and how an unknown header name is reported. */
export interface CsvColumnSet<C extends string> {
  columns: Readonly<Record<C, { required: boolean }>>;
  /** The refusal of a header cell that names no column (the cell as written). */
  unknownColumn: (cell: string) => string;
}

/** A record of the file, its cells by column. */
export interface CsvTableRow<C extends string> {
  /** 1 for the first record after the header. */
  row: number;
  /** The line the record starts on (a quoted cell may span lines). */
  line: number;
  cells: Partial<Record<C, string>>;
  /** A record whose cell count is not the header's (its cells would be read under the wrong column). */
  issues: FieldIssue[];
}

interface CsvRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/** Header names compare without case, spaces, underscores or hyphens. */
export const squash = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

/** Maps the header to known columns; an unknown or repeated name, or a missing required one, refuses the file. */
function readHeader<C extends string>(header: readonly string[], set: CsvColumnSet<C>): (C | undefined)[] {
  const names = Object.keys(set.columns) as C[];
  const bySquashed = new Map(names.map((name) => [squash(name), name]));
  const issues: FieldIssue[] = [];
  const seen = new Set<C>();
  const columns = header.map((cell, index) => {
    const column = bySquashed.get(squash(cell.trim()));
    if (!column) {
      issues.push({ path: `header.${index}`, message: set.unknownColumn(cell) });
      return undefined;
    }
    if (seen.has(column)) issues.push({ path: `header.${index}`, message: `${column} appears twice` });
    seen.add(column);
    return column;
  });
  for (const column of names) {
    if (set.columns[column].required && !seen.has(column)) {
      issues.push({ path: `header.${column}`, message: 'is a required column' });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return columns;
}

/**
 * Reads a CSV import file: its header, then its records' cells by column.
 *
 * @param text - the file (UTF-8; a byte-order mark is allowed)
 * @param limits - the most records accepted
 * @param set - the columns the file may have
 * @throws ValidationError for a file that cannot be read (quotes, header, no rows)
 * @throws PayloadTooLargeError for more records than the limit
 */
export function readCsvTable<C extends string>(
  text: string,
  limits: ImportLimits,
  set: CsvColumnSet<C>,
): CsvTableRow<C>[] {
  let records: CsvRecord[];
  try {
    records = parse(text, {
      bom: true,
      raw: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as CsvRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? ` (line ${error.lines})` : '';
      throw ValidationError.field('body', `is not readable CSV${line}: ${error.code}`);
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw ValidationError.field('body', 'is empty: send a header line and at least one row');
  if (data.length === 0) throw ValidationError.field('body', 'has a header but no rows');
  if (data.length > limits.maxRows) {
    throw new PayloadTooLargeError(
      `The import has ${data.length} rows; the limit is ${limits.maxRows} rows. Split the file.`,
      limits.maxRows,
    );
  }
  const columns = readHeader(header.record, set);
  return data.map(({ record, raw, info }, index) => {
    const issues: FieldIssue[] = [];
    if (record.length !== columns.length) {
      issues.push({ path: 'row', message: `has ${record.length} cells; the header has ${columns.length}` });
    }
    const cells: Partial<Record<C, string>> = {};
    columns.forEach((column, at) => {
      if (column) cells[column] = record[at] ?? '';
    });
    // info.lines is the line where the record ends; a quoted cell may span lines.
    const content = raw.replace(/^[\r\n]+/, '').replace(/(\r\n|\n|\r)$/, '');
    const newlines = content.match(/\r\n|\n|\r/g)?.length ?? 0;
    return { row: index + 1, line: info.lines - newlines, cells, issues };
  });
}
