/** /v1/customers/:customer/balance_transactions: create, list, retrieve, update. */
import { resourceMissing } from '../errors';
import { readExpand } from '../expand';
import type { AccountLedger } from '../ledger';
import { renderTransaction, TRANSACTION_EXPANDABLE } from '../objects';
import { paginate } from '../pagination';
import type { Route } from '../route';
import type { CustomerBalanceTransaction } from '../types';
import {
  matchesCreated,
  readCreatedFilter,
  readCurrency,
  readCursor,
  readInteger,
  readLimit,
  readMetadata,
  readString,
  rejectUnknownParams,
  requireParams,
} from '../validation';
import { listObject } from './listing';

const DESCRIPTION_MAX = 350;
const TRANSACTION = 'customer balance transaction';

function existingCustomer(ledger: AccountLedger, customerId: string) {
  const customer = ledger.findCustomer(customerId);
  if (!customer) throw resourceMissing('customer', customerId, 'customer');
  return customer;
}

function existingTransaction(ledger: AccountLedger, customerId: string, transactionId: string): CustomerBalanceTransaction {
  existingCustomer(ledger, customerId);
  const transaction = ledger.findTransaction(customerId, transactionId);
  if (!transaction) throw resourceMissing(TRANSACTION, transactionId, 'transaction');
  return transaction;
}

const createTransaction: Route = {
  method: 'POST',
  template: '/v1/customers/:customer/balance_transactions',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['amount', 'currency', 'description', 'expand', 'metadata']);
    requireParams(params, ['amount', 'currency']);
    const amount = readInteger(params, 'amount') as number;
    const currency = readCurrency(params, 'currency') as string;
    const description = readString(params, 'description', DESCRIPTION_MAX) ?? null;
    const metadata = readMetadata(params);
    const expand = readExpand(params, { fields: TRANSACTION_EXPANDABLE });
    return {
      lockCustomerId: path.customer,
      run(ledger) {
        const customer = existingCustomer(ledger, path.customer);
        const transaction = ledger.createTransaction(customer, { amount, currency, description, metadata });
        return renderTransaction(transaction, ledger, expand);
      },
    };
  },
};

const listTransactions: Route = {
  method: 'GET',
  template: '/v1/customers/:customer/balance_transactions',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['created', 'ending_before', 'expand', 'invoice', 'limit', 'starting_after']);
    const limit = readLimit(params);
    const cursor = readCursor(params);
    const created = readCreatedFilter(params);
    const invoice = readString(params, 'invoice');
    const expand = readExpand(params, { fields: TRANSACTION_EXPANDABLE, list: true });
    return {
      run(ledger) {
        existingCustomer(ledger, path.customer);
        const newestFirst = ledger.transactionsOf(path.customer).reverse();
        const matches = (transaction: CustomerBalanceTransaction) =>
          matchesCreated(transaction.created, created) && (invoice == null || transaction.invoice === invoice);
        const page = paginate(newestFirst, matches, limit, cursor, (id, param) => resourceMissing(TRANSACTION, id, param, 400));
        const url = `/v1/customers/${path.customer}/balance_transactions`;
        return listObject(page, url, (transaction) => renderTransaction(transaction, ledger, expand));
      },
    };
  },
};

const retrieveTransaction: Route = {
  method: 'GET',
  template: '/v1/customers/:customer/balance_transactions/:transaction',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['expand']);
    const expand = readExpand(params, { fields: TRANSACTION_EXPANDABLE });
    return {
      run(ledger) {
        const transaction = existingTransaction(ledger, path.customer, path.transaction);
        return renderTransaction(transaction, ledger, expand);
      },
    };
  },
};

const updateTransaction: Route = {
  method: 'POST',
  template: '/v1/customers/:customer/balance_transactions/:transaction',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['description', 'expand', 'metadata']);
    const description = readString(params, 'description', DESCRIPTION_MAX);
    const metadata = readMetadata(params);
    const expand = readExpand(params, { fields: TRANSACTION_EXPANDABLE });
    return {
      lockCustomerId: path.customer,
      run(ledger) {
        const transaction = existingTransaction(ledger, path.customer, path.transaction);
        ledger.updateTransaction(transaction, { description, metadata });
        return renderTransaction(transaction, ledger, expand);
      },
    };
  },
};

export const balanceTransactionRoutes: Route[] = [createTransaction, listTransactions, retrieveTransaction, updateTransaction];
