import type { IDataObject } from 'n8n-workflow';

import type { StripeCall, StripeClient } from './client';

/** The most objects Stripe returns in one page. */
const STRIPE_PAGE_SIZE = 100;

/**
 * Every object of a Stripe list or search, page by page, up to `limit` (Infinity: all), like n8n's own
 * `stripeApiRequestAllItems`. `params.limit` is the page size (Stripe's most unless given); each page asks for no more
 * than is still needed, so a limit of 5 costs one request for 5 objects. A list pages by `starting_after` (the last
 * object's id), a search by the `next_page` token it answers with. `keep`: a filter Stripe does not offer, applied
 * here to each page; the limit then counts the objects kept, and every page is a full one.
 */
export async function allPages(
	client: Pick<StripeClient, 'send'>,
	call: StripeCall,
	limit = Infinity,
	keep?: (object: IDataObject) => boolean,
): Promise<IDataObject[]> {
	const found: IDataObject[] = [];
	const pageSize = typeof call.params?.limit === 'number' ? call.params.limit : STRIPE_PAGE_SIZE;
	const isSearch = call.path.endsWith('/search');
	let cursor: { starting_after?: string; page?: string } = {};
	while (found.length < limit) {
		const asked = keep ? pageSize : Math.min(pageSize, limit - found.length);
		const reply = await client.send({ ...call, params: { ...call.params, limit: asked, ...cursor } });
		const data = Array.isArray(reply.data) ? (reply.data as IDataObject[]) : [];
		for (const object of data) if (found.length < limit && (!keep || keep(object))) found.push(object);
		if (reply.has_more !== true || data.length === 0) break;
		if (!isSearch) cursor = { starting_after: String(data[data.length - 1].id) };
		else if (typeof reply.next_page === 'string') cursor = { page: reply.next_page };
		else break;
	}
	return found;
}
