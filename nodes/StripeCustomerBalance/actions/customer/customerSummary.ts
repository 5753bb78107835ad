import type { IDataObject } from 'n8n-workflow';

import { customerBalancesAsWritten } from '../../asWritten';

/**
 * What Get Balance and Find output for a customer: who it is, and its balance (the credit balances per currency), with
 * the balances as written (`asWritten`, docs/FIELDS.md).
 */
export function customerSummary(customer: IDataObject): IDataObject {
	return {
		customer: customer.id,
		email: customer.email ?? null,
		name: customer.name ?? null,
		balance: customer.balance ?? 0,
		currency: customer.currency ?? null,
		invoice_credit_balance: customer.invoice_credit_balance ?? {},
		livemode: customer.livemode,
		asWritten: customerBalancesAsWritten(customer),
	};
}
