import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, StripeClient } from '../transport';

const PAGE_SIZE = 25;

function label(customer: IDataObject): string {
	const who = [customer.name, customer.email && `<${String(customer.email)}>`].filter(Boolean).join(' ');
	return who ? `${who} (${String(customer.id)})` : String(customer.id);
}

function dashboardUrl(customer: IDataObject): string {
	return `https://dashboard.stripe.com/${customer.livemode ? '' : 'test/'}customers/${String(customer.id)}`;
}

/** Customers for the picker: the newest ones, or those whose email or name contains the filter (Stripe's search API). */
export async function searchCustomers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = await StripeClient.connect(this);
	const term = filter?.trim().replace(/["\\]/g, (character) => `\\${character}`);
	const page = term
		? await client.send({
				method: 'GET',
				path: '/v1/customers/search',
				params: { query: `email~"${term}" OR name~"${term}"`, limit: PAGE_SIZE, page: paginationToken },
				itemIndex: 0,
				options: DEFAULT_CALL_OPTIONS,
			})
		: await client.send({
				method: 'GET',
				path: '/v1/customers',
				params: { limit: PAGE_SIZE, starting_after: paginationToken },
				itemIndex: 0,
				options: DEFAULT_CALL_OPTIONS,
			});
	const customers = Array.isArray(page.data) ? (page.data as IDataObject[]) : [];
	const last = customers[customers.length - 1];
	const nextToken = term ? (page.next_page as string | null) : page.has_more && last ? String(last.id) : undefined;
	return {
		results: customers.map((customer) => ({ name: label(customer), value: String(customer.id), url: dashboardUrl(customer) })),
		paginationToken: nextToken ?? undefined,
	};
}
