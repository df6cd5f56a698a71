import { DistinctCounter } from './distinct.js';

export const ColumnTypes = ['integer', 'decimal', 'boolean', 'datetime', 'text', 'empty'] as const;
export type ColumnType = (typeof ColumnTypes)[number];

export interface ColumnSummary {
  name: string;
  /** The narrowest type every non-empty, non-null cell fits (`empty` when there is none). */
  type: ColumnType;
  /** Cells that are empty or only spaces. */
  empty: number;
  /** Cells that spell a null: `null`, `NULL`, `NA`, `N/A`, `\N`, `None`… */
  nulls: number;
  distinct: number;
  /** True while the distinct values were few enough to count exactly; else a HyperLogLog estimate. */
  distinctExact: boolean;
  /** Cells of each type (a mixed column is `text`; these say how mixed). */
  types: Record<'integer' | 'decimal' | 'boolean' | 'datetime' | 'text', number>;
  /** Numbers for integer and decimal columns; ISO strings (compared as text) for datetime ones. */
  min?: number | string;
  max?: number | string;
  mean?: number;
}

const NULLS = new Set(['null', 'NULL', 'Null', 'NA', 'N/A', 'n/a', '\\N', 'None', 'nil']);
const BOOLEANS = new Set(['true', 'false', 'True', 'False', 'TRUE', 'FALSE']);
const INTEGER = /^[+-]?\d+$/;
// No two quantifiers may share digits (`\d+\.?\d*` did): a 1 MiB cell of digits ending in a
// letter then backtracks quadratically and stalls the worker.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATETIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** The running statistics of one column: constant memory whatever the row count. */
export class Column {
  empty = 0;
  nulls = 0;
  integers = 0;
  decimals = 0;
  booleans = 0;
  datetimes = 0;
  texts = 0;
  private numMin = Number.POSITIVE_INFINITY;
  private numMax = Number.NEGATIVE_INFINITY;
  private numSum = 0;
  private dateMin: string | undefined;
  private dateMax: string | undefined;
  private readonly distinct: DistinctCounter;

  constructor(
    readonly name: string,
    maxExactDistinct: number,
  ) {
    this.distinct = new DistinctCounter(maxExactDistinct);
  }

  add(raw: string): void {
    let value = raw;
    const last = value.length - 1;
    if (last >= 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(last) <= 32)) {
      value = value.trim();
    }
    if (value.length === 0) {
      this.empty++;
      return;
    }
    const first = value.charCodeAt(0);
    // Digits, sign or dot: a number or a date (no null spelling starts so); anything else is
    // tried as a null, then a boolean, then text.
    if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) {
      this.distinct.add(value);
      // `dddd-` can only be a date: one pattern instead of three.
      if (value.length >= 10 && value.charCodeAt(4) === 45 && first !== 45) {
        if (DATETIME.test(value)) {
          this.datetime(value);
          return;
        }
      } else if (INTEGER.test(value)) {
        this.number(value, true);
        return;
      } else if (DECIMAL.test(value)) {
        this.number(value, false);
        return;
      }
    } else {
      if (value.length <= 4 && NULLS.has(value)) {
        this.nulls++;
        return;
      }
      this.distinct.add(value);
      if (value.length <= 5 && BOOLEANS.has(value)) {
        this.booleans++;
        return;
      }
    }
    this.texts++;
  }

  private number(value: string, integer: boolean): void {
    const n = Number(value);
    if (!Number.isFinite(n)) {
      this.texts++;
      return;
    }
    if (integer) this.integers++;
    else this.decimals++;
    if (n < this.numMin) this.numMin = n;
    if (n > this.numMax) this.numMax = n;
    this.numSum += n;
  }

  private datetime(value: string): void {
    this.datetimes++;
    if (this.dateMin === undefined || value < this.dateMin) this.dateMin = value;
    if (this.dateMax === undefined || value > this.dateMax) this.dateMax = value;
  }

  type(): ColumnType {
    const { integers, decimals, booleans, datetimes, texts } = this;
    const filled = integers + decimals + booleans + datetimes + texts;
    if (filled === 0) return 'empty';
    if (texts > 0) return 'text';
    if (booleans === filled) return 'boolean';
    if (datetimes === filled) return 'datetime';
    if (integers === filled) return 'integer';
    if (integers + decimals === filled) return 'decimal';
    return 'text';
  }

  summary(): ColumnSummary {
    const type = this.type();
    const { distinct, exact } = this.distinct.count();
    const summary: ColumnSummary = {
      name: this.name,
      type,
      empty: this.empty,
      nulls: this.nulls,
      distinct,
      distinctExact: exact,
      types: {
        integer: this.integers,
        decimal: this.decimals,
        boolean: this.booleans,
        datetime: this.datetimes,
        text: this.texts,
      },
    };
    if (type === 'integer' || type === 'decimal') {
      summary.min = this.numMin;
      summary.max = this.numMax;
      summary.mean = this.numSum / (this.integers + this.decimals);
    } else if (type === 'datetime') {
      summary.min = this.dateMin!;
      summary.max = this.dateMax!;
    }
    return summary;
  }
}
