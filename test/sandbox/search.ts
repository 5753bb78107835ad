/**
 * A subset of Stripe's search query language for customers:
 * clauses `field:"value"` (exact, case-insensitive) or `field~"value"` (substring, case-insensitive)
 * on email, name, phone, and `metadata["key"]:"value"`, joined by AND or OR (not both). Values are quoted with `"` or
 * `'`; a backslash escapes the next character.
 */
import { invalidSearchQuery } from './errors';
import type { StripeCustomer } from './types';

type CustomerPredicate = (customer: StripeCustomer) => boolean;

interface Clause {
  field: string;
  metadataKey?: string;
  operator: ':' | '~';
  value: string;
}

const TEXT_FIELDS = ['email', 'name', 'phone'] as const;
const MAX_CLAUSES = 10;

export function parseCustomerSearch(query: string): CustomerPredicate {
  const scanner = new QueryScanner(query);
  const clauses: Clause[] = [scanner.clause()];
  let connector: 'AND' | 'OR' | undefined;
  while (!scanner.atEnd()) {
    const word = scanner.connector();
    if (connector !== undefined && word !== connector) throw invalidSearchQuery('AND and OR cannot be combined in one query');
    connector = word;
    clauses.push(scanner.clause());
  }
  if (clauses.length > MAX_CLAUSES) throw invalidSearchQuery(`at most ${MAX_CLAUSES} clauses are allowed`);
  const tests = clauses.map(clauseTest);
  return connector === 'OR'
    ? (customer) => tests.some((test) => test(customer))
    : (customer) => tests.every((test) => test(customer));
}

function clauseTest(clause: Clause): CustomerPredicate {
  const wanted = clause.value.toLowerCase();
  const compare = (actual: string | null | undefined) => {
    if (actual === null || actual === undefined) return false;
    const text = actual.toLowerCase();
    return clause.operator === ':' ? text === wanted : text.includes(wanted);
  };
  if (clause.metadataKey !== undefined) {
    const key = clause.metadataKey;
    return (customer) => compare(Object.prototype.hasOwnProperty.call(customer.metadata, key) ? customer.metadata[key] : undefined);
  }
  const field = clause.field as (typeof TEXT_FIELDS)[number];
  return (customer) => compare(customer[field]);
}

class QueryScanner {
  private position = 0;

  constructor(private readonly text: string) {
    if (text.trim() === '') throw invalidSearchQuery('the query is empty');
  }

  atEnd(): boolean {
    this.skipSpaces();
    return this.position >= this.text.length;
  }

  connector(): 'AND' | 'OR' {
    this.skipSpaces();
    const match = /^(AND|OR)(?=\s)/i.exec(this.text.slice(this.position));
    if (!match) throw invalidSearchQuery(`expected AND or OR at position ${this.position}`);
    this.position += match[0].length;
    return match[1].toUpperCase() as 'AND' | 'OR';
  }

  clause(): Clause {
    this.skipSpaces();
    const field = /^[a-z_]+/.exec(this.text.slice(this.position))?.[0];
    if (!field) throw invalidSearchQuery(`expected a field name at position ${this.position}`);
    this.position += field.length;
    let metadataKey: string | undefined;
    if (field === 'metadata') {
      this.expect('[');
      metadataKey = this.quoted();
      this.expect(']');
    } else if (!(TEXT_FIELDS as readonly string[]).includes(field)) {
      throw invalidSearchQuery(`'${field}' is not a supported search field for customers`);
    }
    const operator = this.text[this.position];
    if (operator !== ':' && operator !== '~') throw invalidSearchQuery(`expected ':' or '~' after '${field}'`);
    if (operator === '~' && metadataKey !== undefined) throw invalidSearchQuery('metadata supports exact matches (:) only');
    this.position += 1;
    return { field, metadataKey, operator, value: this.quoted() };
  }

  private quoted(): string {
    const quote = this.text[this.position];
    if (quote !== '"' && quote !== "'") throw invalidSearchQuery(`expected a quoted value at position ${this.position}`);
    this.position += 1;
    let value = '';
    while (this.position < this.text.length) {
      const char = this.text[this.position++];
      if (char === quote) return value;
      value += char === '\\' ? (this.text[this.position++] ?? '') : char;
    }
    throw invalidSearchQuery('unterminated string');
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) throw invalidSearchQuery(`expected '${char}' at position ${this.position}`);
    this.position += 1;
  }

  private skipSpaces(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position += 1;
  }
}
