/** /v1/customers: list, search, create, retrieve. */
import { invalidPageToken, resourceMissing, searchUnavailable } from '../errors';
import { readExpand } from '../expand';
import { CUSTOMER_EXPANDABLE, renderCustomer } from '../objects';
import { paginate } from '../pagination';
import type { Route } from '../route';
import { parseCustomerSearch } from '../search';
import {
  matchesCreated,
  readCreatedFilter,
  readCursor,
  readInteger,
  readLimit,
  readMetadata,
  readString,
  rejectUnknownParams,
  requireParams,
} from '../validation';
import { listObject, searchResultObject } from './listing';

const unknownCustomerCursor = (id: string, param: string) => resourceMissing('customer', id, param, 400);

const listCustomers: Route = {
  method: 'GET',
  template: '/v1/customers',
  prepare({ params }) {
    rejectUnknownParams(params, ['created', 'email', 'ending_before', 'expand', 'limit', 'starting_after']);
    const limit = readLimit(params);
    const cursor = readCursor(params);
    const email = readString(params, 'email', 512);
    const created = readCreatedFilter(params);
    const expand = readExpand(params, { fields: CUSTOMER_EXPANDABLE, list: true });
    return {
      run(ledger) {
        const matches = (customer: { email: string | null; created: number }) =>
          (email == null || customer.email === email) && matchesCreated(customer.created, created);
        const page = paginate(ledger.customersNewestFirst(), matches, limit, cursor, unknownCustomerCursor);
        return listObject(page, '/v1/customers', (customer) => renderCustomer(customer, expand));
      },
    };
  },
};

const searchCustomers: Route = {
  method: 'GET',
  template: '/v1/customers/search',
  prepare({ params }) {
    rejectUnknownParams(params, ['expand', 'limit', 'page', 'query']);
    requireParams(params, ['query']);
    const query = readString(params, 'query') as string;
    const matches = parseCustomerSearch(query);
    const limit = readLimit(params);
    const offset = decodePageToken(readString(params, 'page') ?? undefined, query);
    const expand = readExpand(params, { fields: CUSTOMER_EXPANDABLE, list: true, listFields: ['total_count'] });
    return {
      run(ledger) {
        if (!ledger.search.available) throw searchUnavailable();
        const found = ledger.searchableNewestFirst().filter(matches);
        const hasMore = offset + limit < found.length;
        const page = {
          data: found.slice(offset, offset + limit),
          hasMore,
          nextPage: hasMore ? encodePageToken(offset + limit, query) : null,
          totalCount: expand.has('total_count') ? found.length : undefined,
        };
        return searchResultObject(page, '/v1/customers/search', (customer) => renderCustomer(customer, expand));
      },
    };
  },
};

function encodePageToken(offset: number, query: string): string {
  return `page_${Buffer.from(JSON.stringify({ offset, query })).toString('base64url')}`;
}

function decodePageToken(token: string | undefined, query: string): number {
  if (token === undefined) return 0;
  try {
    const decoded = JSON.parse(Buffer.from(token.replace(/^page_/, ''), 'base64url').toString('utf8'));
    if (Number.isSafeInteger(decoded.offset) && decoded.offset >= 0 && decoded.query === query) return decoded.offset;
  } catch {
    // falls through to the error below
  }
  throw invalidPageToken();
}

const createCustomer: Route = {
  method: 'POST',
  template: '/v1/customers',
  prepare({ params }) {
    rejectUnknownParams(params, ['balance', 'description', 'email', 'expand', 'metadata', 'name', 'phone']);
    const fields = {
      balance: readInteger(params, 'balance'),
      description: readString(params, 'description', 350),
      email: readString(params, 'email', 512),
      metadata: readMetadata(params),
      name: readString(params, 'name', 256),
      phone: readString(params, 'phone', 20),
    };
    const expand = readExpand(params, { fields: CUSTOMER_EXPANDABLE });
    return {
      run: (ledger) => renderCustomer(ledger.createCustomer(fields), expand),
    };
  },
};

const retrieveCustomer: Route = {
  method: 'GET',
  template: '/v1/customers/:customer',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['expand']);
    const expand = readExpand(params, { fields: CUSTOMER_EXPANDABLE });
    return {
      run(ledger) {
        if (ledger.isDeleted(path.customer)) return { id: path.customer, object: 'customer', deleted: true };
        const customer = ledger.findCustomer(path.customer);
        if (!customer) throw resourceMissing('customer', path.customer, 'id');
        return renderCustomer(customer, expand);
      },
    };
  },
};

export const customerRoutes: Route[] = [listCustomers, searchCustomers, createCustomer, retrieveCustomer];
