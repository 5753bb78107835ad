import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { moneyText } from '../asWritten';
import { decimalsOf } from '../amounts';
import type { CallOptions } from '../transport';
import { InvalidInput } from '../validation';
import type { ParameterReader } from './parameters';
import type { PreparedItem } from './types';

/**
 * Guardrails on money, set by the workflow's builder: a maximum per item and per execution (as written, in the item's
 * currency), and the customer's own currency. The maximums take no expression, so that neither the data nor an AI
 * agent's `$fromAI()` can raise them. Every operation that writes money calls `checkAmount` before it sends.
 */

const NO_EXPRESSION = "It takes no expression, so that neither the data nor an AI agent can raise it: enter a number in the node's Options.";

export const maxAmountOption: INodeProperties = {
	displayName: 'Max Amount',
	name: 'maxAmount',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0 },
	noDataExpression: true,
	description:
		"The largest credit or debit one item may make, as written in the item's currency: 50 is 50.00 for a EUR item, 50 yen for JPY. An item over it is refused, naming the maximum, and nothing is sent for it. 0: no maximum, except that a node used as an AI agent's tool (version 2) writes nothing without one. Takes no expression.",
};

export const maxTotalOption: INodeProperties = {
	displayName: 'Max Total per Execution',
	name: 'maxTotalPerExecution',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0 },
	noDataExpression: true,
	description:
		"The largest sum of credits and debits (their sizes) one execution may write per currency, as written: an item that would take its currency's sum over it is refused, and nothing is sent for it. 0: no maximum. Takes no expression.",
};

export const allowAnyCurrencyOption: INodeProperties = {
	displayName: 'Allow Any Currency',
	name: 'allowAnyCurrency',
	type: 'boolean',
	default: false,
	noDataExpression: true,
	description:
		"Whether to write in a currency the customer is neither billed in nor holds a balance in. Off: such an item is refused, since Stripe would apply it to none of their invoices (each customer is read once per execution to check).",
};

/** A maximum as saved: a positive number, or none (unset or 0). An expression is refused. */
function savedMaximum(parameters: ParameterReader, name: string, field: string): number | undefined {
	const value = parameters.savedOption(name, field);
	if (value === undefined || value === 0) return undefined;
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
	throw new InvalidInput(field, `${JSON.stringify(value)} is not a positive number`, NO_EXPRESSION);
}

/** `amount` (the smallest unit) against `maximum` (as written), exactly: 5.00 EUR is not over 5, 5.01 is. */
function isOver(amount: number, currency: string, maximum: number): boolean {
	return amount > maximum * 10 ** decimalsOf(currency.toLowerCase()) + 1e-6;
}

/** One execution's guard: its maximums read once, and the sizes each currency has taken so far (each item counted once). */
class MoneyGuard {
	private readonly maxAmount: number | undefined;
	private readonly maxTotal: number | undefined;
	private readonly taken = new Map<string, Map<number, number>>();

	constructor(private readonly parameters: ParameterReader) {
		this.maxAmount = savedMaximum(parameters, 'maxAmount', 'Max Amount');
		this.maxTotal = savedMaximum(parameters, 'maxTotalPerExecution', 'Max Total per Execution');
	}

	check(amount: number, currency: string, itemIndex: number): void {
		const size = Math.abs(amount);
		const upper = currency.toUpperCase();
		if (this.maxAmount === undefined) this.refuseToolWithoutMaximum();
		else if (isOver(size, currency, this.maxAmount)) {
			throw new InvalidInput(
				'Amount',
				`${moneyText(size, currency)} is over Max Amount, ${this.maxAmount} ${upper} per item: nothing was sent for it`,
				"Max Amount (Options) is set in the node by the workflow's builder; the data cannot raise it.",
			);
		}
		if (this.maxTotal === undefined) return;
		const items = this.taken.get(upper) ?? new Map<number, number>();
		let total = size;
		for (const [index, taken] of items) if (index !== itemIndex) total += taken;
		if (isOver(total, currency, this.maxTotal)) {
			throw new InvalidInput(
				'Amount',
				`${moneyText(size, currency)} would take this execution's ${upper} total to ${moneyText(total, currency)}, over Max Total per Execution, ${this.maxTotal} ${upper}: nothing was sent for it`,
				"Max Total per Execution (Options) is set in the node by the workflow's builder; the data cannot raise it.",
			);
		}
		items.set(itemIndex, size);
		this.taken.set(upper, items);
	}

	/** An AI agent's tool (version 2) writes money only under a maximum the agent cannot change; Check Only writes nothing. */
	private refuseToolWithoutMaximum(): void {
		if (!this.parameters.asTool || this.parameters.nodeVersion < 2 || this.parameters.savedOption('checkOnly') === true) return;
		throw new InvalidInput(
			'Max Amount',
			"is not set, and this node is an AI agent's tool: it writes no money without a maximum",
			"Set Options > Max Amount in the node (the most one call may credit or debit, e.g. 50); an agent cannot raise it.",
		);
	}
}

const guards = new WeakMap<ParameterReader, MoneyGuard>();

/**
 * Refuses an amount (Stripe's, in the smallest unit, either sign) over the execution's Max Amount or Max Total per
 * Execution in `currency`, or any amount from an AI agent's tool without a Max Amount. Call it before sending; an item
 * checked twice counts once towards the total.
 */
export function checkAmount(parameters: ParameterReader, amount: number, currency: string, itemIndex: number): void {
	let guard = guards.get(parameters);
	if (!guard) {
		guard = new MoneyGuard(parameters);
		guards.set(parameters, guard);
	}
	guard.check(amount, currency, itemIndex);
}

/** The currencies a customer can use a balance in: the one they are billed in, and those they hold a balance in. */
function customerCurrencies(customer: IDataObject): string[] {
	const billed = typeof customer.currency === 'string' && customer.currency !== '' ? [customer.currency] : [];
	const balances = Object.entries((customer.invoice_credit_balance ?? {}) as Record<string, unknown>);
	return [...new Set([...billed, ...balances.filter(([, value]) => typeof value === 'number' && value !== 0).map(([code]) => code)])];
}

/**
 * Version 2's check of Currency against the customer, read once per execution: their currency, or one they hold a
 * balance in. A customer billed in none yet takes any (Stripe makes the first one theirs). Undefined when not checked.
 */
export function currencyCheck(parameters: ParameterReader, currency: string, options: CallOptions, itemIndex: number): PreparedItem['before'] {
	if (parameters.nodeVersion < 2 || parameters.savedOption('allowAnyCurrency') === true) return undefined;
	return async (customers, customerId) => {
		const customer = await customers.customer(customerId, options, itemIndex);
		const known = customerCurrencies(customer);
		if (known.length === 0 || known.includes(currency)) return;
		const billed = typeof customer.currency === 'string' && customer.currency !== '' ? customer.currency.toUpperCase() : 'none yet';
		const others = known.filter((code) => code !== customer.currency).map((code) => code.toUpperCase());
		const theirs = `${billed}${others.length ? `; balances in ${others.join(', ')}` : ''}`;
		throw new InvalidInput(
			'Currency',
			`${currency.toUpperCase()} is not the customer's currency (${theirs}): nothing was sent for it`,
			`Stripe would apply a ${currency.toUpperCase()} balance to none of ${customerId}'s invoices in ${known.map((code) => code.toUpperCase()).join(' or ')}. Use their currency, or turn on Options > Allow Any Currency if you know why.`,
		);
	};
}
