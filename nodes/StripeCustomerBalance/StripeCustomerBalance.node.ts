import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { properties } from './actions/description';
import { router } from './actions/router';
import { searchCustomers } from './listSearch';

export class StripeCustomerBalance implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Customer Balance',
		name: 'stripeCustomerBalance',
		icon: { light: 'file:../../icons/stripe.svg', dark: 'file:../../icons/stripe.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		// The canvas line under the node's name, in words; Create says which way the money moves when that is chosen
		// (version 2's Direction, version 1's Options > Direction), and not when the amount's own sign decides.
		// Options > Check Only says so first: such a run can never be taken for one that moves money.
		subtitle:
			'={{ ($parameter["options"] && $parameter["options"]["checkOnly"] === true ? "Check only, sends nothing: " : "") + ($parameter["operation"] === "create" ? ({"credit": "Credit customer balance", "debit": "Debit customer balance"}[$parameter["direction"] || ($parameter["options"] || {})["direction"]] || "Create balance transaction") : {"get": "Get balance transaction", "getAll": "Get many balance transactions", "update": "Update balance transaction", "reverse": "Reverse balance transaction", "getBalance": "Get balance", "find": "Find customers"}[$parameter["operation"]]) }}',
		description: 'Credit, debit and read a Stripe customer\'s balance, the customer named by ID or by email; find customers by email or search. Safely: idempotent, retried and rate limited.',
		defaults: { name: 'Stripe Customer Balance' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'stripeCustomerBalanceApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchCustomers } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
