import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, allPages, type StripeClient } from '../transport';
import type { BalanceChange } from './balanceChanges';

/** How many of the customer's newest transactions (not newer than the event) are looked at. */
const LOOK_BACK = 20;
/**
 * Stripe has its answer by now; the execution waits for this lookup. Its turn in the account's pacer comes before a
 * bulk run's requests (`urgent`), and a slow Stripe costs at most one retry.
 */
const LOOKUP_OPTIONS = { ...DEFAULT_CALL_OPTIONS, timeoutMs: 10_000, maxRetries: 1 };

export interface CausingTransaction {
	/** The transaction, or null when it cannot be told; `balanceTransactionNote` says why. */
	balanceTransaction: IDataObject | null;
	balanceTransactionNote: string;
}

/**
 * The balance transaction behind a change: the newest one, not newer than the event, in the change's currency, whose
 * amount is the change and whose ending balance is the new balance. When none or several fit, it says so rather than
 * guess: balances also move without a balance transaction of the Customer Balance API's kind.
 */
export async function causingTransaction(
	client: StripeClient,
	customerId: string,
	eventCreated: number,
	change: BalanceChange,
): Promise<CausingTransaction> {
	let transactions: IDataObject[];
	try {
		const path = `/v1/customers/${encodeURIComponent(customerId)}/balance_transactions`;
		const call = { method: 'GET' as const, path, params: { limit: LOOK_BACK, created: { lte: eventCreated } }, itemIndex: 0, urgent: true, options: LOOKUP_OPTIONS };
		transactions = await allPages(client, call, LOOK_BACK);
	} catch (error) {
		return { balanceTransaction: null, balanceTransactionNote: `Could not look up the balance transaction: ${(error as Error).message}` };
	}
	const fitting = transactions.filter(
		(transaction) =>
			transaction.currency === change.currency && transaction.amount === change.change && transaction.ending_balance === change.newBalance,
	);
	if (fitting.length === 0) {
		return {
			balanceTransaction: null,
			balanceTransactionNote: `None of the customer's ${LOOK_BACK} newest balance transactions up to the event moved the ${change.currency.toUpperCase()} balance from ${change.previousBalance} to ${change.newBalance}.`,
		};
	}
	// Stripe lists newest first; a second fit in the same second means the order between them cannot be told.
	const [newest, next] = fitting;
	if (next !== undefined && next.created === newest.created) {
		return {
			balanceTransaction: null,
			balanceTransactionNote: `Several balance transactions (${fitting.map((transaction) => transaction.id).join(', ')}) made this same change in the same second; which one caused this event cannot be told.`,
		};
	}
	return {
		balanceTransaction: newest,
		balanceTransactionNote: 'The newest balance transaction up to the event in this currency whose amount is the change and whose ending balance is the new balance.',
	};
}
